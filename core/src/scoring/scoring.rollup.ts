import type { AppContext } from '../context.js';
import { activityKeys } from '../activity/activity.keys.js';
import { parseViewerActivity } from '../activity/activity.metrics.js';
import { changedViewers } from '../activity/activity.store.js';
import { grantWatchPoints } from '../points/points.service.js';
import { packEntry } from './scoring.history.js';
import { scoringStore, streamTime } from './scoring.store.js';
import { streamStore } from '../streams/streams.service.js';
import { rate } from '../stickiness/index.js';

export interface RollupStats {
  streamId: string;
  /** Viewer updates applied (a viewer changed in two batches counts twice). */
  viewers: number;
  batches: number;
  /** Sequential waits on Redis (a pipeline or a script call is one). */
  roundTrips: number;
}

/**
 * Rolls up what changed in a stream since its cursor, batch by batch: reads the changed viewers' absolute
 * activity, merges it into their per-brand histories, rates each merged history and stores the ratings
 * with the cursor in one script. Every step is absolute or a maximum, so a rerun, a second worker on the
 * same stream, or a restart after a crash at any point ends with the ratings of one clean run.
 */
export async function rollupStream(ctx: AppContext, streamId: string, opts: { batch?: number } = {}): Promise<RollupStats> {
  const stats: RollupStats = { streamId, viewers: 0, batches: 0, roundTrips: 2 };
  const stream = await streamStore(ctx).get(streamId);
  if (!stream) return { ...stats, roundTrips: 1 };
  const store = scoringStore(ctx);
  const batch = opts.batch ?? ctx.config.ROLLUP_BATCH;
  const startedAt = streamTime(stream);
  const activity = activityKeys(ctx.keys, streamId);
  let cursor = await store.cursor(stream.brandId, streamId);

  for (;;) {
    const changed = await changedViewers(ctx.redis, ctx.keys, streamId, cursor, batch);
    stats.roundTrips++;
    if (changed.length === 0) break;
    const reads = ctx.redis.pipeline();
    for (const c of changed) reads.hgetall(activity.viewer(c.viewerId));
    const hashes = (await reads.exec()) ?? [];
    stats.roundTrips++;

    const entries: { viewerId: string; entry: string; watchMs: number }[] = [];
    changed.forEach((c, i) => {
      const [err, h] = hashes[i] ?? [];
      if (err) throw err;
      const a = parseViewerActivity((h ?? {}) as Record<string, string>);
      entries.push({ viewerId: c.viewerId, entry: packEntry(streamId, startedAt, a), watchMs: a.watchMs ?? 0 });
    });
    const histories = await store.merge(stream.brandId, entries);
    const rated = histories.flatMap((h, i) => {
      const rating = rate(h.entries, store.params);
      return rating ? [{ viewerId: entries[i]!.viewerId, version: h.version, rating }] : [];
    });
    const reached = changed[changed.length - 1]!.seq;
    await store.apply(stream.brandId, streamId, reached, rated);
    stats.roundTrips += 2;

    const watchers = entries.filter((e) => e.watchMs >= 60_000);
    if (watchers.length) {
      // Idempotent top-ups, sent together (one flight on the auto-pipelined connection).
      await Promise.all(
        watchers.map((e) => grantWatchPoints(ctx, { brandId: stream.brandId, streamId, viewerId: e.viewerId, watchSec: Math.floor(e.watchMs / 1000) })),
      );
      stats.roundTrips++;
    }
    cursor = reached;
    stats.viewers += changed.length;
    stats.batches++;
    ctx.log.debug({ streamId, viewers: changed.length, cursor }, 'rollup batch applied');
  }
  return stats;
}
