/**
 * Preloaded into every server the benchmarks measure (`node --expose-gc --import tsx --import <this file>`),
 * so each server answers the same memory and event-loop probes over the IPC channel without any
 * benchmark code inside the server itself.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { performance, PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { ProbeRequest, type ProbeReply } from './probe-protocol.js';

const gc = (globalThis as { gc?: () => void }).gc;

if (process.send) {
  process.on('message', (raw: unknown) => {
    const parsed = ProbeRequest.safeParse(raw);
    if (!parsed.success) return;
    const req = parsed.data;
    let reply: ProbeReply;
    if (req.probe === 'profile') {
      profile(req.action, req.file).then(
        () => process.send!({ probe: 'profile', id: req.id, ok: true } satisfies ProbeReply),
        (err: unknown) => process.send!({ probe: 'profile', id: req.id, ok: false, error: String(err) } satisfies ProbeReply),
      );
      return;
    } else if (req.probe === 'memory') {
      // Two passes: the first may only promote what the second then frees.
      if (req.gc && gc) {
        gc();
        gc();
      }
      const m = process.memoryUsage();
      reply = { probe: 'memory', id: req.id, gc: req.gc && gc !== undefined, heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss, external: m.external };
    } else {
      const elu = performance.eventLoopUtilization();
      reply = { probe: 'elu', id: req.id, idle: elu.idle, active: elu.active };
    }
    process.send!(reply);
  });
  // The IPC channel must not keep an otherwise finished process alive.
  process.channel?.unref();
}

let session: Session | undefined;
/** The garbage collections of the profiled span, by kind: count and ms. */
let gcs: Record<string, { count: number; ms: number }> = {};
const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor (scavenge)',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major (mark-compact)',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = GC_KINDS[(e as unknown as { detail: { kind: number } }).detail.kind] ?? 'other';
    const k = (gcs[kind] ??= { count: 0, ms: 0 });
    k.count++;
    k.ms += e.duration;
  }
});

/** A CPU profile of the main thread over exactly the span the benchmark asks for. */
async function profile(action: 'start' | 'stop', file: string | undefined): Promise<void> {
  if (action === 'start') {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    gcs = {};
    gcObserver.observe({ entryTypes: ['gc'] });
    // BENCH_HEAP_PROFILE=1: a sampling heap profile of the same span, garbage included (what was allocated)
    if (process.env.BENCH_HEAP_PROFILE) {
      await session.post('HeapProfiler.enable');
      await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    }
    return;
  }
  if (!session) throw new Error('no profile running');
  const { profile: result } = await session.post('Profiler.stop');
  const heap = process.env.BENCH_HEAP_PROFILE ? (await session.post('HeapProfiler.stopSampling')).profile : undefined;
  session.disconnect();
  session = undefined;
  gcObserver.disconnect();
  if (file) await writeFile(file, JSON.stringify(result));
  if (file) await writeFile(file.replace(/\.cpuprofile$/, '') + '.gc.json', JSON.stringify(gcs));
  if (file && heap) await writeFile(file.replace(/\.cpuprofile$/, '') + '.heapprofile', JSON.stringify(heap));
}
