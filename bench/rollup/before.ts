import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../../core/src/context.js';
import { activityKeys } from '../../core/src/activity/activity.keys.js';
import { parseViewerActivity } from '../../core/src/activity/activity.metrics.js';
import { changedViewers } from '../../core/src/activity/activity.store.js';
import { brandPointsKeys, pointsKeys } from '../../core/src/points/points.keys.js';
import { ENTRY_FIELDS, packEntry, type History } from '../../core/src/scoring/scoring.history.js';
import { legacyScoringKeys, scoringKeys } from '../../core/src/scoring/scoring.keys.js';
import { scoringStore, streamTime } from '../../core/src/scoring/scoring.store.js';
import { streamStore } from '../../core/src/streams/streams.service.js';
import { boardKey, decay, streamPoints, tierOf, type Rating, type ScoringParams, type StreamEngagement } from '../../core/src/stickiness/index.js';
import type { RollupStats } from '../../core/src/scoring/scoring.rollup.js';

/**
 * The rollup as it was before issue 11 (kept here only as the benchmark's "before", run in the same session
 * as the product's rollupStream): one batch at a time, every step awaited, HGETALL per viewer parsed into an
 * object, one watch-point script call per viewer.
 *
 * What the product has changed since, the "before" keeps as it was, so the product's later work does not
 * speed it up: the merge and apply scripts as they were (bench/rollup/before/*.lua, one call per viewer and
 * key inside them, seven arguments per rating), the watch-point grant as it was (three hashes per viewer:
 * lots, grants, streams), the history parse and the rating with an object per stream. Their results are the
 * product's, key for key, the points read as one hash per viewer (the benchmark's digest reads both layouts
 * the same way).
 */
export async function rollupBefore(ctx: AppContext, streamId: string, opts: { batch: number }): Promise<RollupStats> {
  const stats: RollupStats = { streamId, viewers: 0, batches: 0, roundTrips: 2 };
  const stream = await streamStore(ctx).get(streamId);
  if (!stream) return { ...stats, roundTrips: 1 };
  const store = scoringStore(ctx);
  const scripts = oldScripts(ctx);
  const keys = scoringKeys(ctx.keys, stream.brandId);
  /** the board of everyone, the at-risk pool and the index by latest stream start, which the rollup before issue 11 wrote and the product no longer keeps */
  const legacy = legacyScoringKeys(ctx.keys, stream.brandId);
  const p = store.params;
  const startedAt = streamTime(stream);
  const activity = activityKeys(ctx.keys, streamId);
  let cursor = await store.cursor(stream.brandId, streamId);
  for (;;) {
    const changed = await changedViewers(ctx.redis, ctx.keys, streamId, cursor, opts.batch);
    stats.roundTrips++;
    if (changed.length === 0) break;
    const reads = ctx.redis.pipeline();
    for (const c of changed) reads.hgetall(activity.viewer(c.viewerId));
    const hashes = (await reads.exec()) ?? [];
    stats.roundTrips++;
    const entries = changed.map((c, i) => {
      const [err, h] = hashes[i] ?? [];
      if (err) throw err;
      const a = parseViewerActivity((h ?? {}) as Record<string, string>);
      return { viewerId: c.viewerId, entry: packEntry(streamId, startedAt, a), watchMs: a.watchMs ?? 0 };
    });
    const merged = (await scripts.merge(keys.history, ...entries.flatMap((e) => [e.viewerId, e.entry]))) as string[];
    const histories = merged.map(parseHistoryBefore);
    const rated = histories.flatMap((h, i) => {
      const rating = rateBefore(h.entries, p);
      return rating ? [{ viewerId: entries[i]!.viewerId, version: h.version, rating }] : [];
    });
    const reached = changed[changed.length - 1]!.seq;
    await scripts.apply(
      keys.ratings,
      legacy.board,
      keys.tier('new'),
      keys.tier('casual'),
      keys.tier('engaged'),
      keys.tier('loyal'),
      legacy.riskPool,
      legacy.asOf,
      keys.cursor,
      streamId,
      reached,
      0,
      ...rated.flatMap(({ viewerId, version, rating: r }) => [viewerId, version, String(r.score), r.asOf, tierOf(r, p), r.streams, String(boardKey(r, p))]),
    );
    stats.roundTrips += 2;
    const watchers = entries.filter((e) => e.watchMs >= 60_000);
    if (watchers.length) {
      const c = ctx.config;
      const now = ctx.clock.now();
      const bp = brandPointsKeys(ctx.keys, stream.brandId);
      await Promise.all(
        watchers.map((e) => {
          const points = Math.min(c.POINTS_WATCH_CAP, c.POINTS_WATCH_PER_MINUTE * Math.floor(Math.floor(e.watchMs / 1000) / 60));
          if (points <= 0) return 0;
          const p = pointsKeys(ctx.keys, stream.brandId, e.viewerId).old;
          return scripts.grant(p.lots, p.grants, p.streams, bp.economy, bp.holders, `watch:${streamId}`, 'topup', points, streamId, c.POINTS_STREAM_CAP, now, c.POINTS_EXPIRE_DAYS, e.viewerId);
        }),
      );
      stats.roundTrips++;
    }
    cursor = reached;
    stats.viewers += changed.length;
    stats.batches++;
  }
  return stats;
}

type Call = (...args: (string | number)[]) => Promise<unknown>;

const here = dirname(fileURLToPath(import.meta.url));

/** The merge, apply and watch-point grant scripts as they were, defined once per connection under names of their own. */
function oldScripts(ctx: AppContext): { merge: Call; apply: Call; grant: Call } {
  const redis = ctx.redis as unknown as Record<string, Call | undefined> & { defineCommand(name: string, d: { numberOfKeys: number; lua: string }): void };
  if (!redis.rollupBeforeMerge) {
    redis.defineCommand('rollupBeforeMerge', { numberOfKeys: 1, lua: readFileSync(join(here, 'before', 'score-merge-1.lua'), 'utf8') });
    redis.defineCommand('rollupBeforeApply', { numberOfKeys: 9, lua: readFileSync(join(here, 'before', 'score-apply-9.lua'), 'utf8') });
    redis.defineCommand('rollupBeforeGrant', { numberOfKeys: 5, lua: readFileSync(join(here, 'before', 'points-grant-5.lua'), 'utf8') });
  }
  return { merge: redis.rollupBeforeMerge!.bind(redis), apply: redis.rollupBeforeApply!.bind(redis), grant: redis.rollupBeforeGrant!.bind(redis) };
}

/** parseHistory as it was. */
function parseHistoryBefore(packed: string | null | undefined): History {
  if (!packed) return { version: 0, entries: [] };
  const [ver, ...rest] = packed.split(';');
  const entries: StreamEngagement[] = [];
  for (const raw of rest) {
    if (!raw) continue;
    const [streamId = '', ...nums] = raw.split(',');
    const e = { streamId } as Record<string, number | string>;
    ENTRY_FIELDS.forEach((f, i) => {
      e[f] = Number(nums[i] ?? 0) || 0;
    });
    entries.push(e as unknown as StreamEngagement);
  }
  return { version: Number(ver) || 0, entries };
}

/** rate as it was: a sorted copy of every history, an object per stream (streamPoints). */
function rateBefore(history: readonly StreamEngagement[], p: ScoringParams): Rating | null {
  if (history.length === 0) return null;
  let asOf = -Infinity;
  for (const e of history) asOf = Math.max(asOf, e.startedAt);
  const ordered = [...history].sort((a, b) => a.startedAt - b.startedAt || (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  let points = 0;
  let buyerStreams = 0;
  for (const e of ordered) {
    points += decay(asOf - e.startedAt, p.halfLifeMs) * streamPoints(e, p).total;
    if ((e.orders ?? 0) > 0) buyerStreams++;
  }
  const score = 100 * (1 - Math.pow(2, -points / p.halfPoints));
  return { score, asOf, points, streams: history.length, buyerStreams };
}
