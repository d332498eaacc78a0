import type { RedisClient } from '../redis/client.js';
import { SlotBatch } from '../redis/slot-batch.js';
import { PRESENCE_WINDOW_MS, type RoomStats } from '@stickyroom/sdk/protocol';
import type { EventGate } from '../redis/event-gate.js';
import { activityKeys } from '../activity/activity.keys.js';
import type { Keys } from '../redis/keys.js';
import type { PresenceSummary } from './presence.contract.js';
import { presenceKeys } from './presence.keys.js';
import { presenceJoin, presenceStats, presenceTouch, type TouchKind, type TouchResult } from './presence.scripts.js';

export type { PresenceSummary, TouchKind, TouchResult };

/** Viewers not seen for this long are forgotten by the stats sweep (past every window and minute in use). */
const FORGET_AFTER_MS = 2 * 60_000;

/**
 * Records that a viewer was seen (join or heartbeat) or that one of their sockets went, and credits watch
 * time, in one script (presence-touch-13.lua). socketId is needed for every kind but `join`.
 */
export function touchViewer(
  redis: RedisClient,
  keys: Keys,
  streamId: string,
  viewerId: string,
  kind: TouchKind,
  nowMs: number,
  socketId = '',
  gate?: EventGate,
): Promise<TouchResult> {
  return presenceTouch.run(redis, keys, { streamId, viewerId, kind, now: nowMs, socketId }, gate);
}

/**
 * Records the joins of one moment in a stream (one script, presence-join-n.lua), each as `touchViewer`'s
 * `join` would; the concurrent viewers after each, in order.
 */
export function joinViewers(redis: RedisClient, keys: Keys, streamId: string, joins: readonly (readonly [string, number])[]): Promise<number[]> {
  return presenceJoin.run(redis, keys, { streamId, joins });
}

/** Distinct viewers seen in the last 45 s (read only). */
export async function concurrentViewers(redis: RedisClient, keys: Keys, streamId: string, nowMs: number): Promise<number> {
  return redis.zcount(presenceKeys(keys, streamId).seen, `(${nowMs - PRESENCE_WINDOW_MS}`, '+inf');
}

/**
 * The counts to push for each stream, where this node holds the stream's push token for the interval
 * and they changed since the last push (one pipeline for all streams).
 */
export async function statsToPush(redis: RedisClient, keys: Keys, streamIds: readonly string[], nowMs: number, intervalMs: number): Promise<RoomStats[]> {
  if (streamIds.length === 0) return [];
  const batch = new SlotBatch(redis);
  for (const streamId of streamIds) {
    presenceStats.queue(batch.for(keys.stream(streamId)), keys, { streamId, now: nowMs, intervalMs, pruneBeforeMs: nowMs - FORGET_AFTER_MS });
  }
  const results = await batch.exec();
  const out: RoomStats[] = [];
  results.forEach(([err, raw], i) => {
    const stats = err ? null : presenceStats.reply(raw);
    if (stats) out.push({ streamId: streamIds[i]!, ...stats });
  });
  return out;
}

/**
 * Forgets what only a running stream needs (who is present, where credits start); the summary figures
 * stay. The per-viewer visible tabs expire on their own (an ended stream never reads them).
 */
export async function dropLivePresence(redis: RedisClient, keys: Keys, streamId: string): Promise<void> {
  const p = presenceKeys(keys, streamId);
  await redis.unlink(p.seen, p.watchFrom, p.statsToken);
}

/** Watch time credited to a viewer in a stream, in whole seconds (contract, see presence.contract.ts). */
export async function watchSeconds(redis: RedisClient, keys: Keys, streamId: string, viewerId: string): Promise<number> {
  const ms = await redis.hget(activityKeys(keys, streamId).viewer(viewerId), 'watchMs');
  return Math.floor(Number(ms ?? 0) / 1000);
}

/** Unique viewers, peak concurrency and the per-minute viewers timeline (contract, see presence.contract.ts). */
export async function presenceSummary(redis: RedisClient, keys: Keys, streamId: string): Promise<PresenceSummary> {
  const p = presenceKeys(keys, streamId);
  const [unique, stats, timeline] = await Promise.all([redis.zcard(p.unique), redis.hmget(p.stats, 'peak', 'peakAt'), redis.hgetall(p.timeline)]);
  return {
    uniqueViewers: unique,
    peakConcurrent: Number(stats[0] ?? 0),
    peakAt: stats[1] ? Number(stats[1]) : null,
    viewersTimeline: Object.entries(timeline)
      .map(([minute, viewers]) => ({ minute: Number(minute), viewers: Number(viewers) }))
      .sort((x, y) => x.minute - y.minute),
  };
}
