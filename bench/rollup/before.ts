import type { AppContext } from '../../core/src/context.js';
import { activityKeys } from '../../core/src/activity/activity.keys.js';
import { parseViewerActivity } from '../../core/src/activity/activity.metrics.js';
import { changedViewers } from '../../core/src/activity/activity.store.js';
import { grantWatchPoints } from '../../core/src/points/points.service.js';
import { packEntry } from '../../core/src/scoring/scoring.history.js';
import { scoringStore, streamTime } from '../../core/src/scoring/scoring.store.js';
import { streamStore } from '../../core/src/streams/streams.service.js';
import { rate } from '../../core/src/stickiness/index.js';
import type { RollupStats } from '../../core/src/scoring/scoring.rollup.js';

/**
 * The rollup as it was before issue 11 (kept here only as the benchmark's "before", run in the same session
 * as the product's rollupStream): one batch at a time, every step awaited, HGETALL per viewer parsed into an
 * object, one watch-point script call per viewer.
 */
export async function rollupBefore(ctx: AppContext, streamId: string, opts: { batch: number }): Promise<RollupStats> {
  const stats: RollupStats = { streamId, viewers: 0, batches: 0, roundTrips: 2 };
  const stream = await streamStore(ctx).get(streamId);
  if (!stream) return { ...stats, roundTrips: 1 };
  const store = scoringStore(ctx);
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
      await Promise.all(
        watchers.map((e) => grantWatchPoints(ctx, { brandId: stream.brandId, streamId, viewerId: e.viewerId, watchSec: Math.floor(e.watchMs / 1000) })),
      );
      stats.roundTrips++;
    }
    cursor = reached;
    stats.viewers += changed.length;
    stats.batches++;
  }
  return stats;
}
