import type { RedisClient } from './client.js';
import type { Keys } from './keys.js';
import type { Script } from './scripts.js';

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

/** A redirection a pipeline hands back as is (ioredis follows them for single commands, and for a pipeline only when every command got one). */
const REDIRECTED = /^(MOVED|ASK) /;
/** Attempts of the pipeline when its node no longer holds the slot (a failover, a resharding). */
const ATTEMPTS = 3;

/**
 * Runs `script` and then `WAIT 1 <timeoutMs>` in one pipeline. On a cluster a pipeline goes whole to the node
 * of its keys' slot, so the WAIT (which has no key, and alone would go to a random node) asks the very
 * primary that ran the script whether a replica has everything it wrote so far. Redis replication is
 * asynchronous: without the wait, a primary that fails right after answering takes the write with it and the
 * replica that takes over never saw it (DESIGN §10: an acknowledged claim must stay claimed). Sending the
 * WAIT apart, to the node ioredis thinks holds the slot, would not do: after a failover that can be a node
 * that never ran the script, and its replicas would confirm a write they do not have.
 *
 * When the slot moved (a failover ioredis has not seen yet), the script answers MOVED without running and
 * the WAIT, which has no key, succeeds on the wrong node: ioredis then returns the MOVED as is. A single-key
 * read of the slot lets ioredis follow the redirection and update its slot map, and the pipeline is sent
 * again; a slot still moving after that is an outage (`unavailable`, retried with the same opId).
 *
 * A refusal (the script wrote nothing that must survive) is answered without looking at the wait.
 */
export async function runReplicated<A, R>(script: Script<A, R>, redis: RedisClient, keys: Keys, args: A, timeoutMs: number): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const batch = redis.pipeline();
    script.queue(batch, keys, args);
    batch.wait(1, timeoutMs);
    const replies = await batch.exec();
    if (!replies || replies.length !== 2) throw new Error('the replicated pipeline answered nothing (discarded?)');
    const [[scriptErr, raw], [waitErr, replicas]] = replies as [[Error | null, unknown], [Error | null, unknown]];
    if (scriptErr && REDIRECTED.test(scriptErr.message)) {
      if (attempt >= ATTEMPTS) throw new SlotMoving(scriptErr.message);
      await redis.exists(script.keysOf(keys, args)[0]!);
      continue;
    }
    if (scriptErr) throw scriptErr;
    const out = script.reply(raw);
    if (waitErr) throw waitErr;
    if (typeof replicas !== 'number' || replicas < 1) throw new ReplicaAckTimeout(timeoutMs);
    return out;
  }
}

/** A slot still moving after the pipeline followed it: an outage for the caller (outage.ts), retried later. */
export class SlotMoving extends Error {
  constructor(last: string) {
    super(`the slot kept moving (${last})`);
    this.name = 'SlotMoving';
  }
}
