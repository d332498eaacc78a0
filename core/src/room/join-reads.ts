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

/** At most this many viewers in one batched lookup (one command), so no single command grows without bound. */
export const LOOKUP_BATCH_MAX = 1000;

interface Batch {
  members: unknown[];
  waiters: Array<{ resolve: (value: unknown) => void; reject: (err: unknown) => void }>;
}

/**
 * Per-viewer lookups in one key asked by the joins of one moment (is this viewer banned from the stream? has
 * this viewer entered its lottery?), sent as one command for all of them (SMISMEMBER, HMGET) instead of one
 * each. Like SharedReads, a batch is sent on the event loop's next check phase after its first ask and takes
 * no ask once sent: every caller's answer comes from a read that started after its own call. A batch that
 * fails fails every join in it, as each join's own read would have during the same outage.
 */
export class BatchedLookups {
  private readonly open = new Map<string, Batch>();

  /**
   * `send` answers for the members in their order (one answer per member, repeats included). Every ask of one
   * key passes the same kind of member (a viewer id, or what the command needs of the viewer) and `send`.
   */
  lookup<T, M = string>(key: string, member: M, send: (members: readonly M[]) => Promise<readonly T[]>): Promise<T> {
    let batch = this.open.get(key);
    if (!batch) {
      const b: Batch = { members: [], waiters: [] };
      this.open.set(key, b);
      setImmediate(() => {
        if (this.open.get(key) === b) this.open.delete(key);
        send(b.members as M[]).then(
          (answers) => {
            if (answers.length !== b.members.length) throw new Error(`batched lookup ${key}: ${answers.length} answers for ${b.members.length} members`);
            b.waiters.forEach((w, i) => w.resolve(answers[i]));
          },
        ).catch((err: unknown) => {
          for (const w of b.waiters) w.reject(err);
        });
      });
      batch = b;
    }
    const b = batch;
    const answer = new Promise<T>((resolve, reject) => b.waiters.push({ resolve: resolve as (value: unknown) => void, reject }));
    b.members.push(member);
    // a full batch still goes on the next check phase; later asks start the next one
    if (b.members.length >= LOOKUP_BATCH_MAX) this.open.delete(key);
    return answer;
  }

  /** Batches taking asks (0 between turns of the event loop). */
  get queued(): number {
    return this.open.size;
  }
}

const lookupsPerNode = perContext(() => new BatchedLookups());

/**
 * One command answering (or writing) `lookup` of stream `streamId` for every join of this moment; this viewer's
 * answer. A write batched so (presence, the last join) is sent after its callers asked, like a read.
 */
export function joinLookup<T, M = string>(
  ctx: AppContext,
  streamId: string,
  lookup: string,
  member: M,
  send: (members: readonly M[]) => Promise<readonly T[]>,
): Promise<T> {
  return lookupsPerNode(ctx).lookup(`${streamId}\n${lookup}`, member, send);
}
