import type { ChainableCommander, Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { queueScript, runScript } from '../redis/scripts.js';
import { activityKeys } from './activity.keys.js';
import { parseViewerActivity, type ActivityMetric, type ViewerActivity } from './activity.metrics.js';
import { pairs } from '../redis/replies.js';

export interface Moment {
  at: number;
  kind: 'quiz' | 'lottery' | 'drop' | 'product' | 'stream';
  id: string;
  label: string;
}

function recordKeys(keys: Keys, streamId: string, viewerId: string): string[] {
  const k = activityKeys(keys, streamId);
  return [k.viewer(viewerId), k.totals, k.timeline, k.dirty, k.seq];
}

/**
 * Counts `n` of `metric` for a viewer in a stream, in one atomic script. `cap` bounds what one viewer
 * can accumulate (likes), while the stream total still counts everything. Returns what was credited.
 */
export function recordActivity(
  redis: Redis,
  keys: Keys,
  a: { streamId: string; viewerId: string; metric: ActivityMetric; n?: number; at: number; cap?: number },
): Promise<number> {
  return runScript<number>(redis, 'activityRecord', recordKeys(keys, a.streamId, a.viewerId), [
    a.viewerId,
    a.metric,
    Math.trunc(a.n ?? 1),
    a.at,
    a.cap ?? 0,
  ]);
}

/** The same, queued on a pipeline (reaction flushes record many viewers at once). */
export function queueActivity(
  pipeline: ChainableCommander,
  keys: Keys,
  a: { streamId: string; viewerId: string; metric: ActivityMetric; n?: number; at: number; cap?: number },
): void {
  queueScript(pipeline, 'activityRecord', recordKeys(keys, a.streamId, a.viewerId), [a.viewerId, a.metric, Math.trunc(a.n ?? 1), a.at, a.cap ?? 0]);
}

export async function addMoment(redis: Redis, keys: Keys, streamId: string, m: Moment): Promise<void> {
  await redis.rpush(activityKeys(keys, streamId).moments, JSON.stringify(m));
}

export async function readMoments(redis: Redis, keys: Keys, streamId: string): Promise<Moment[]> {
  const raw = await redis.lrange(activityKeys(keys, streamId).moments, 0, -1);
  return raw.map((r) => JSON.parse(r) as Moment);
}

export async function viewerActivity(redis: Redis, keys: Keys, streamId: string, viewerId: string): Promise<ViewerActivity> {
  return parseViewerActivity(await redis.hgetall(activityKeys(keys, streamId).viewer(viewerId)));
}

export async function streamTotals(redis: Redis, keys: Keys, streamId: string): Promise<Partial<Record<ActivityMetric, number>>> {
  return parseViewerActivity(await redis.hgetall(activityKeys(keys, streamId).totals)) as Partial<Record<ActivityMetric, number>>;
}

/** Viewers changed after `afterSeq`, oldest change first, at most `limit`: the rollup's cursor read. */
export async function changedViewers(
  redis: Redis,
  keys: Keys,
  streamId: string,
  afterSeq: number,
  limit: number,
): Promise<{ viewerId: string; seq: number }[]> {
  const flat = await redis.zrangebyscore(activityKeys(keys, streamId).dirty, `(${afterSeq}`, '+inf', 'WITHSCORES', 'LIMIT', 0, limit);
  return [...pairs(flat)].map(([viewerId, seq]) => ({ viewerId, seq: Number(seq) }));
}
