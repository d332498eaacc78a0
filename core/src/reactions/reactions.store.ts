import type { RedisClient } from '../redis/client.js';
import { SlotBatch } from '../redis/slot-batch.js';
import { queueActivity } from '../activity/activity.store.js';
import type { Keys } from '../redis/keys.js';
import type { StreamReactions } from './reactions.buffer.js';
import { reactionKeys } from './reactions.keys.js';
import { reactionFlush, type Totals } from './reactions.scripts.js';

export type { Totals };

export async function readTotals(redis: RedisClient, keys: Keys, streamId: string): Promise<Totals> {
  const h = await redis.hgetall(reactionKeys(keys, streamId).totals);
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
}

export interface FlushOutcome {
  streamId: string;
  /** Totals to push now (this node holds the interval's token). */
  push?: Totals;
  /** Another node pushes this interval: call again (with no counts) to push what is still pending. */
  retry: boolean;
  /** What did not reach Redis and should go with the next flush. */
  failed?: Partial<StreamReactions>;
}

/**
 * Writes one flush in a single pipeline: per stream, the totals script (which also decides the push);
 * per viewer, their reactions into the activity ledger as `likes`, capped at `cap` per viewer and stream.
 * `retry` streams get the totals script with no counts, to push changes another node left pending.
 */
export async function flushReactions(
  redis: RedisClient,
  keys: Keys,
  batch: ReadonlyMap<string, StreamReactions>,
  retry: Iterable<string>,
  /** `intervalMs`: how long a stream's push holds the room (per stream: it grows with the room). */
  opts: { intervalMs: (streamId: string) => number; cap: number; now: number },
): Promise<FlushOutcome[]> {
  const streamIds = [...new Set([...batch.keys(), ...retry])];
  if (streamIds.length === 0) return [];
  const pipeline = new SlotBatch(redis);
  const viewerCalls: { streamId: string; viewerId: string; n: number }[] = [];
  for (const streamId of streamIds) {
    reactionFlush.queue(pipeline.for(keys.stream(streamId)), keys, { streamId, intervalMs: opts.intervalMs(streamId), counts: [...(batch.get(streamId)?.kinds ?? [])] });
  }
  for (const [streamId, part] of batch) {
    for (const [viewerId, n] of part.viewers) {
      queueActivity(pipeline.for(keys.stream(streamId)), keys, { streamId, viewerId, metric: 'likes', n, at: opts.now, cap: opts.cap });
      viewerCalls.push({ streamId, viewerId, n });
    }
  }
  let results: [Error | null, unknown][];
  try {
    results = await pipeline.exec();
  } catch {
    return streamIds.map((streamId) => ({ streamId, retry: true, ...(batch.has(streamId) ? { failed: batch.get(streamId)! } : {}) }));
  }
  const outcomes = streamIds.map((streamId, i): FlushOutcome => {
    const [err, res] = results[i] ?? [new Error('no reply'), null];
    if (err) {
      const part = batch.get(streamId);
      return { streamId, retry: true, ...(part ? { failed: { kinds: part.kinds } } : {}) };
    }
    const push = reactionFlush.reply(res);
    if (push === 'retry' || push === 'none') return { streamId, retry: push === 'retry' };
    return { streamId, retry: false, push };
  });
  const byStream = new Map(outcomes.map((o) => [o.streamId, o]));
  viewerCalls.forEach((v, j) => {
    if (!results[streamIds.length + j]?.[0]) return;
    const o = byStream.get(v.streamId)!;
    o.failed ??= {};
    (o.failed.viewers ??= new Map()).set(v.viewerId, v.n);
  });
  return outcomes;
}
