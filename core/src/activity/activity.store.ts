import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { activityKeys } from './activity.keys.js';
import { parseActivityRow, parseViewerActivity, type ActivityMetric, type ViewerActivity } from './activity.metrics.js';
import { activityRead, activityRecord, activityRows, type ActivityRecord } from './activity.scripts.js';

export interface Moment {
  at: number;
  /** `qa`: a question marked answered (the mechanics report; the summary's timeline leaves it out). */
  kind: 'quiz' | 'lottery' | 'drop' | 'product' | 'stream' | 'qa' | 'poll';
  id: string;
  label: string;
}

/**
 * Counts `n` of `metric` for a viewer in a stream, in one atomic script. `cap` bounds what one viewer
 * can accumulate (likes), while the stream total still counts everything. Returns what was credited.
 */
export function recordActivity(redis: RedisClient, keys: Keys, a: ActivityRecord): Promise<number> {
  return activityRecord.run(redis, keys, a);
}

/** The same, queued on a pipeline (reaction flushes record many viewers at once). */
export function queueActivity(pipeline: ChainableCommander, keys: Keys, a: ActivityRecord): void {
  activityRecord.queue(pipeline, keys, a);
}

export async function addMoment(redis: RedisClient, keys: Keys, streamId: string, m: Moment): Promise<void> {
  await redis.rpush(activityKeys(keys, streamId).moments, JSON.stringify(m));
}

export async function readMoments(redis: RedisClient, keys: Keys, streamId: string): Promise<Moment[]> {
  const raw = await redis.lrange(activityKeys(keys, streamId).moments, 0, -1);
  return raw.map((r) => JSON.parse(r) as Moment);
}

export async function viewerActivity(redis: RedisClient, keys: Keys, streamId: string, viewerId: string): Promise<ViewerActivity> {
  return parseViewerActivity(await redis.hgetall(activityKeys(keys, streamId).viewer(viewerId)));
}

export async function streamTotals(redis: RedisClient, keys: Keys, streamId: string): Promise<Partial<Record<ActivityMetric, number>>> {
  return parseViewerActivity(await redis.hgetall(activityKeys(keys, streamId).totals)) as Partial<Record<ActivityMetric, number>>;
}

/** Viewers changed after `afterSeq`, oldest change first, at most `limit`: the rollup's cursor read. */
export async function changedViewers(
  redis: RedisClient,
  keys: Keys,
  streamId: string,
  afterSeq: number,
  limit: number,
): Promise<{ viewerId: string; seq: number }[]> {
  const flat = await redis.zrangebyscore(activityKeys(keys, streamId).dirty, `(${afterSeq}`, '+inf', 'WITHSCORES', 'LIMIT', 0, limit);
  const out: { viewerId: string; seq: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ viewerId: flat[i]!, seq: Number(flat[i + 1]) });
  return out;
}

/**
 * The given fields of each viewer's activity hash, in one script call: one string per viewer, the values in
 * `fields` order joined by ',' ('0' where missing), raw, for callers that pack them (the rollup).
 */
export async function activityFields(redis: RedisClient, keys: Keys, streamId: string, viewerIds: readonly string[], fields: readonly string[]): Promise<string[]> {
  if (viewerIds.length === 0) return [];
  return activityRead.run(redis, keys, { streamId, viewerIds, fields });
}

/**
 * Many viewers' activity in one script call (activity-rows-n.lua), each as `readActivity` gives it: the
 * summary reads 100,000 viewers without a command and a reply object per viewer.
 */
export async function readActivities(redis: RedisClient, keys: Keys, streamId: string, viewerIds: readonly string[]): Promise<ViewerActivity[]> {
  if (viewerIds.length === 0) return [];
  const rows = await activityRows.run(redis, keys, { streamId, viewerIds });
  return rows.map(parseActivityRow);
}
