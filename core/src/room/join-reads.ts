import { perContext, type AppContext } from '../context.js';
import { markShared } from './shared-values.js';

/**
 * Reads of a stream's shared state (history, pins, the open quiz, lottery and drops) asked for by the
 * joins of one moment, sent once. When a stream goes live thousands of viewers join within seconds and
 * every join ack carries the same parts: each join reading them itself is most of the join's Redis work.
 *
 * A read is sent on the event loop's next check phase after the first ask (setImmediate), and an ask never
 * joins a read already sent: every caller gets a read that started after its own call, so it is at least
 * as fresh as the caller's own read would have been. That keeps the room's rule (join the room first,
 * then read the snapshot: a message sent in between arrives twice rather than never). Callers share the
 * result: they must not change it. It is marked shared (./shared-values.ts), so the transport encodes it, and
 * each of its direct parts, once for every ack of the moment that carries it.
 */
export class SharedReads {
  private readonly waiting = new Map<string, Promise<unknown>>();

  read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const queued = this.waiting.get(key);
    if (queued) return queued as Promise<T>;
    const p = new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        this.waiting.delete(key);
        load().then((value) => resolve(markShared(value)), reject);
      });
    });
    this.waiting.set(key, p);
    return p;
  }

  /** Reads queued and not sent yet (0 between turns of the event loop). */
  get queued(): number {
    return this.waiting.size;
  }
}

const perNode = perContext(() => new SharedReads());

/** One read of `part` of stream `streamId` for every join asking for it in this turn of the event loop. */
export function joinRead<T>(ctx: AppContext, streamId: string, part: string, load: () => Promise<T>): Promise<T> {
  return perNode(ctx).read(`${streamId}\n${part}`, load);
}
