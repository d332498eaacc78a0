import { setTimeout as delay } from 'node:timers/promises';
import type { RedisClient } from './client.js';
import type { Keys } from './keys.js';
import type { Script } from './scripts.js';
import { hashTag } from './slot-batch.js';

/**
 * No replica confirmed a write within its wait: the write may be on the primary alone, and a failover now
 * would lose it. The caller is told `unavailable` (outage.ts) and retries with the same operation id, which
 * the scripts that wait answer idempotently.
 */
export class ReplicaAckTimeout extends Error {
  constructor(readonly waitedMs: number) {
    super(`no replica confirmed the write within ${waitedMs} ms`);
    this.name = 'ReplicaAckTimeout';
  }
}

/** A slot still moving after the pipeline followed it: an outage for the caller (outage.ts), retried later. */
export class SlotMoving extends Error {
  constructor(last: string) {
    super(`the slot kept moving (${last})`);
    this.name = 'SlotMoving';
  }
}

/** A redirection a pipeline hands back as is (ioredis follows them for single commands, and for a pipeline only when every command got one). */
const REDIRECTED = /^(MOVED|ASK) /;
/** Attempts of a call whose node no longer holds the slot (a failover, a resharding). */
const ATTEMPTS = 5;
/**
 * Wait before the n-th attempt after a redirection: n x this (100, 200, 300, 400 ms, a second in all). Right
 * after a failover the nodes do not agree at once (a restarted primary claims its old slots until it hears
 * of the new epoch), so redirections can bounce for some hundreds of milliseconds after the cluster looks
 * whole; the failover test saw claims sent then answered `unavailable` when three attempts went at once.
 */
const MOVED_BACKOFF_MS = 100;

interface Call {
  run(batch: import('ioredis').ChainableCommander): void;
  /** The script's reply (or error) and the WAIT's count: settles the caller. */
  settle(err: Error | null, raw: unknown, replicas: unknown, waitErr: Error | null): void;
  fail(err: unknown): void;
  firstKey: string;
  attempts: number;
}

/**
 * Script calls acknowledged only once a replica holds them (cluster mode; DESIGN §10: an acknowledged claim
 * must stay claimed). Redis replication is asynchronous: a primary that fails right after answering takes
 * the write with it, and the replica that takes over never saw it.
 *
 * Each call runs in a pipeline followed by `WAIT 1 <timeoutMs>`. On a cluster a pipeline goes whole to the
 * node of its keys' slot, so the WAIT (which has no key, and alone would go to a random node) asks the very
 * primary that ran the script whether a replica has everything it wrote so far. Sending the WAIT apart, to
 * the node ioredis thinks holds the slot, would not do: after a failover that can be a node that never ran
 * the script, whose replicas would confirm a write they do not have.
 *
 * A WAIT blocks its connection until a replica answers, so calls are committed in groups: the calls of one
 * hash tag that arrive while its pipeline is out go together in the next one, all their scripts and one
 * WAIT. A busy drop then pays one replica round trip per group, not per claim.
 *
 * When the slot moved (a failover ioredis has not seen yet), the scripts answer MOVED without running and
 * the WAIT, which has no key, succeeds on the wrong node: ioredis then returns the MOVED as is. A single-key
 * read of the slot lets ioredis follow the redirection and update its slot map, and the calls go again; a
 * slot still moving after that is an outage (`unavailable`, retried with the same opId).
 *
 * A refusal (the script wrote nothing that must survive) is answered without looking at the wait.
 */
export class ReplicatedCalls {
  private readonly waiting = new Map<string, Call[]>();
  private readonly out = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly timeoutMs: number,
  ) {}

  run<A, R>(script: Script<A, R>, keys: Keys, args: A): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const firstKey = script.keysOf(keys, args)[0]!;
      this.enqueue(hashTag(firstKey), {
        firstKey,
        attempts: 0,
        run: (batch) => script.queue(batch, keys, args),
        settle: (err, raw, replicas, waitErr) => {
          if (err) return reject(err);
          let out: R;
          try {
            out = script.reply(raw);
          } catch (refusal) {
            return reject(refusal);
          }
          if (waitErr) return reject(waitErr);
          if (typeof replicas !== 'number' || replicas < 1) return reject(new ReplicaAckTimeout(this.timeoutMs));
          resolve(out);
        },
        fail: reject,
      });
    });
  }

  private enqueue(tag: string, call: Call): void {
    const list = this.waiting.get(tag);
    if (list) list.push(call);
    else this.waiting.set(tag, [call]);
    // the calls of this tick go together; while a group is out, the next one gathers
    if (!this.out.has(tag) && !list) setImmediate(() => this.next(tag));
  }

  /** Sends the calls gathered for `tag`; `flush` settles each call itself, so nothing is left to handle. */
  private next(tag: string): void {
    this.flush(tag).catch(() => undefined);
  }

  private async flush(tag: string): Promise<void> {
    if (this.out.has(tag)) return;
    const calls = this.waiting.get(tag);
    if (!calls?.length) return;
    this.waiting.delete(tag);
    this.out.add(tag);
    const moved: Call[] = [];
    try {
      const batch = this.redis.pipeline();
      for (const c of calls) c.run(batch);
      batch.wait(1, this.timeoutMs);
      const replies = await batch.exec();
      if (!replies || replies.length !== calls.length + 1) throw new Error('the replicated pipeline answered nothing (discarded?)');
      const [waitErr, replicas] = replies[calls.length]!;
      calls.forEach((c, i) => {
        const [err, raw] = replies[i]!;
        if (err && REDIRECTED.test(err.message)) {
          if (++c.attempts >= ATTEMPTS) c.fail(new SlotMoving(err.message));
          else moved.push(c);
        } else {
          c.settle(err, raw, replicas, waitErr);
        }
      });
      // let ioredis follow the redirection with a one-key read (it updates its slot map), then go again
      if (moved.length) {
        await delay(MOVED_BACKOFF_MS * Math.max(...moved.map((c) => c.attempts)));
        await this.redis.exists(moved[0]!.firstKey).catch(() => undefined);
      }
    } catch (err) {
      for (const c of calls) c.fail(err);
    } finally {
      this.out.delete(tag);
      if (moved.length) this.waiting.set(tag, [...moved, ...(this.waiting.get(tag) ?? [])]);
      if (this.waiting.has(tag)) this.next(tag);
    }
  }
}
