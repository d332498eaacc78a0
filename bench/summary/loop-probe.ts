/**
 * Preloaded into the server the summary and room benchmarks measure (`--import bench/summary/loop-probe.ts`):
 * the event loop's delay, from perf_hooks.monitorEventLoopDelay, and the longest wait of a JavaScript timer due
 * every TIMER_MS, both reset and read over the IPC channel. No benchmark code inside the server itself.
 *
 * The second reading is there because the first missed stalls: in the room's claim burst, a JavaScript timer
 * in the server (the chat's steps, this one) waited 0.64-1.07 s while monitorEventLoopDelay's maximum for the
 * same 5 s stayed at 130-171 ms (docs/benchmarks-history.md, issue 11 seventh pass). The chat runs on JavaScript
 * timers, so that is the wait that shows in its latency.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';
import { watchTimerLag } from '../../core/src/timer-lag.js';

const TIMER_MS = 10;

const Ask = z.object({ loop: z.enum(['reset', 'read']) });
const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

let lastTick = performance.now();
let timerGapMax = 0;
// the product's own probe (core/src/timer-lag.ts): a gap is the interval plus how late the timer ran
watchTimerLag((lateMs) => {
  lastTick = performance.now();
  timerGapMax = Math.max(timerGapMax, TIMER_MS + lateMs);
}, TIMER_MS);

if (process.send) {
  process.on('message', (raw: unknown) => {
    const ask = Ask.safeParse(raw);
    if (!ask.success) return;
    // the wait still running counts too: a reading taken right after a stall sees it whole
    const gap = Math.max(timerGapMax, performance.now() - lastTick);
    if (ask.data.loop === 'reset') {
      histogram.reset();
      timerGapMax = 0;
    }
    process.send!({
      loopDelay: {
        maxMs: histogram.max / 1e6,
        p99Ms: histogram.percentile(99) / 1e6,
        meanMs: histogram.count ? histogram.mean / 1e6 : 0,
        count: histogram.count,
        timerGapMaxMs: ask.data.loop === 'reset' ? 0 : gap,
      },
    });
  });
  process.channel?.unref();
}
