/**
 * Preloaded into the server the summary benchmark measures (`--import bench/summary/loop-probe.ts`): the
 * event loop's delay, from perf_hooks.monitorEventLoopDelay, reset and read over the IPC channel. No
 * benchmark code inside the server itself.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';

const Ask = z.object({ loop: z.enum(['reset', 'read']) });
const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

if (process.send) {
  process.on('message', (raw: unknown) => {
    const ask = Ask.safeParse(raw);
    if (!ask.success) return;
    if (ask.data.loop === 'reset') histogram.reset();
    process.send!({ loopDelay: { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, meanMs: histogram.count ? histogram.mean / 1e6 : 0, count: histogram.count } });
  });
  process.channel?.unref();
}
