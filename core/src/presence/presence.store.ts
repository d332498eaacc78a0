import type { Redis } from 'ioredis';
import { MAX_CREDIT_GAP_MS, PRESENCE_WINDOW_MS, type RoomStats } from '@stickyroom/sdk/protocol';
import type { Keys } from '../redis/keys.js';
import type { EventGate } from '../redis/event-gate.js';
import { queueScript, runScript } from '../redis/scripts.js';
import { activityKeys } from '../activity/activity.keys.js';
import { streamKeys } from '../streams/streams.keys.js';
import type { PresenceSummary } from './presence.contract.js';
import { presenceKeys } from './presence.keys.js';

export type { PresenceSummary };

/** Viewers not seen for this long are forgotten by the stats sweep (past every window and minute in use). */
const FORGET_AFTER_MS = 2 * 60_000;

/** `gone`: the socket disconnected, which ends its visible stretch like a hidden heartbeat. */
export type TouchKind = 'join' | 'visible' | 'hidden' | 'gone';

export interface TouchResult {
  /** False when the stream has ended or does not exist: nothing was recorded. */
  recorded: boolean;
  /** Distinct viewers seen in the last 45 s. */
  concurrent: number;
  creditedMs: number;
}

/**
 * Records that a viewer was seen (join or heartbeat) or that one of their sockets went, and credits watch
 * time, in one script (presence-touch-12.lua). socketId is needed for every kind but `join`.
 */
export async function touchViewer(
  redis: Redis,
  keys: Keys,
  streamId: string,
  viewerId: string,
  kind: TouchKind,
  nowMs: number,
  socketId = '',
  gate?: EventGate,
): Promise<TouchResult> {
  const p = presenceKeys(keys, streamId);
  const a = activityKeys(keys, streamId);
  const [code, concurrent, creditedMs] = await runScript<[number, number, number]>(
    redis,
    'presenceTouch',
    [
      streamKeys(keys, streamId).meta,
      p.seen,
      p.unique,
      p.timeline,
      p.stats,
      p.watchFrom,
      p.visibleTabs(viewerId),
      a.viewer(viewerId),
      a.totals,
      a.timeline,
      a.dirty,
      a.seq,
    ],
    [viewerId, nowMs, kind, PRESENCE_WINDOW_MS, MAX_CREDIT_GAP_MS, socketId],
    gate,
  );
  return { recorded: code === 0, concurrent, creditedMs };
}

/** Distinct viewers seen in the last 45 s (read only). */
export async function concurrentViewers(redis: Redis, keys: Keys, streamId: string, nowMs: number): Promise<number> {
  return redis.zcount(presenceKeys(keys, streamId).seen, `(${nowMs - PRESENCE_WINDOW_MS}`, '+inf');
}

/**
 * The counts to push for each stream, where this node holds the stream's push token for the interval
 * and they changed since the last push (one pipeline for all streams).
 */
export async function statsToPush(redis: Redis, keys: Keys, streamIds: readonly string[], nowMs: number, intervalMs: number): Promise<RoomStats[]> {
  if (streamIds.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of streamIds) {
    const p = presenceKeys(keys, id);
    queueScript(pipeline, 'presenceStats', [streamKeys(keys, id).meta, p.seen, p.stats, p.statsToken], [
      nowMs,
      PRESENCE_WINDOW_MS,
      intervalMs,
      nowMs - FORGET_AFTER_MS,
    ]);
  }
  const results = (await pipeline.exec()) ?? [];
  const out: RoomStats[] = [];
  results.forEach(([err, res], i) => {
    if (err || !Array.isArray(res)) return;
    const [viewers, peak, peakAt] = res as [number, number, number];
    const stats: RoomStats = { streamId: streamIds[i]!, viewers, peak };
    if (peakAt >= 0) stats.peakAt = peakAt;
    out.push(stats);
  });
  return out;
}

/**
 * Forgets what only a running stream needs (who is present, where credits start); the summary figures
 * stay. The per-viewer visible tabs expire on their own (an ended stream never reads them).
 */
export async function dropLivePresence(redis: Redis, keys: Keys, streamId: string): Promise<void> {
  const p = presenceKeys(keys, streamId);
  await redis.unlink(p.seen, p.watchFrom, p.statsToken);
}

/** Watch time credited to a viewer in a stream, in whole seconds (contract, see presence.contract.ts). */
export async function watchSeconds(redis: Redis, keys: Keys, streamId: string, viewerId: string): Promise<number> {
  const ms = await redis.hget(activityKeys(keys, streamId).viewer(viewerId), 'watchMs');
  return Math.floor(Number(ms ?? 0) / 1000);
}

/** Unique viewers, peak concurrency and the per-minute viewers timeline (contract, see presence.contract.ts). */
export async function presenceSummary(redis: Redis, keys: Keys, streamId: string): Promise<PresenceSummary> {
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
