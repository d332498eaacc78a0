import type { RedisClient } from '../../core/src/redis/client.js';
import type { AppContext } from '../../core/src/context.js';
import type { ActivityMetric } from '../../core/src/activity/activity.metrics.js';
import { queueActivity } from '../../core/src/activity/activity.store.js';
import { scoringKeys } from '../../core/src/scoring/scoring.keys.js';
import { StreamStore } from '../../core/src/streams/streams.store.js';
import type { Keys } from '../../core/src/redis/keys.js';

/** A stream with a fixed id (so two key prefixes hold the same data), live since `startedAt`. */
export async function seedStream(ctx: Pick<AppContext, 'redis' | 'keys'>, s: { id: string; brandId: string; startedAt: number }): Promise<void> {
  const store = new StreamStore(ctx.redis, ctx.keys);
  await store.create({ id: s.id, title: `stream ${s.id}`, brandId: s.brandId, status: 'scheduled', createdBy: 'host', createdAt: s.startedAt - 60_000 });
  await store.transition(s.id, 'live', s.startedAt);
}

export interface ActivityEvent {
  streamId: string;
  viewerId: string;
  metric: ActivityMetric;
  n: number;
  at: number;
}

/** Records events through the ledger's own script, pipelined in chunks. */
export async function record(redis: RedisClient, keys: Keys, events: readonly ActivityEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 5000) {
    const p = redis.pipeline();
    for (const e of events.slice(i, i + 5000)) queueActivity(p, keys, e);
    const res = await p.exec();
    const failed = res?.find(([err]) => err);
    if (failed) throw failed[0];
  }
}

/** A small deterministic PRNG (mulberry32), so two prefixes get the very same generated history. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METRICS: ActivityMetric[] = ['watchMs', 'chat', 'likes', 'questions', 'upvotes', 'quizAnswers', 'quizCorrect', 'lotteryEntries', 'couponClaims', 'clicks', 'orders', 'revenueCents'];

/** Generated activity of `viewers` viewers in a stream: a few events each, every metric possible. */
export function generateActivity(streamId: string, startedAt: number, viewers: number, seed: number, idPrefix = 'v'): ActivityEvent[] {
  const rnd = prng(seed);
  const out: ActivityEvent[] = [];
  for (let v = 0; v < viewers; v++) {
    const viewerId = `${idPrefix}${v}`;
    out.push({ streamId, viewerId, metric: 'watchMs', n: 15_000 * (1 + Math.floor(rnd() * 240)), at: startedAt + 1000 });
    const extra = Math.floor(rnd() * 4);
    for (let j = 0; j < extra; j++) {
      const metric = METRICS[1 + Math.floor(rnd() * (METRICS.length - 1))]!;
      const n = metric === 'revenueCents' ? 500 + Math.floor(rnd() * 20_000) : 1 + Math.floor(rnd() * 5);
      out.push({ streamId, viewerId, metric, n, at: startedAt + 2000 + Math.floor(rnd() * 3_600_000) });
    }
  }
  return out;
}

/**
 * Everything stickiness stored for a brand, versions stripped (a version counts merges that changed
 * something, which differs between a run that saw intermediate states and one that did not).
 */
export async function scoringSnapshot(redis: RedisClient, keys: Keys, brandId: string, opts: { keepVersions?: boolean } = {}): Promise<Record<string, unknown>> {
  const k = scoringKeys(keys, brandId);
  const strip = (h: Record<string, string>) =>
    Object.fromEntries(Object.entries(h).map(([f, v]) => [f, opts.keepVersions ? v : v.slice(v.indexOf(';') + 1)]));
  const zset = async (key: string) => redis.zrange(key, 0, -1, 'WITHSCORES');
  return {
    history: strip(await redis.hgetall(k.history)),
    ratings: strip(await redis.hgetall(k.ratings)),
    new: await zset(k.tier('new')),
    casual: await zset(k.tier('casual')),
    engaged: await zset(k.tier('engaged')),
    loyal: await zset(k.tier('loyal')),
  };
}
