/**
 * Preloaded into every server the benchmarks measure (`node --expose-gc --import tsx --import <this file>`),
 * so each server answers the same memory and event-loop probes over the IPC channel without any
 * benchmark code inside the server itself.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
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

/** A CPU profile of the main thread over exactly the span the benchmark asks for. */
async function profile(action: 'start' | 'stop', file: string | undefined): Promise<void> {
  if (action === 'start') {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    return;
  }
  if (!session) throw new Error('no profile running');
  const { profile: result } = await session.post('Profiler.stop');
  session.disconnect();
  session = undefined;
  if (file) await writeFile(file, JSON.stringify(result));
}
