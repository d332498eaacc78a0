import type { AppContext } from '../context.js';
import { activityFields, changedViewers } from '../activity/activity.store.js';
import { olderPointsGone, queueWatchPointsBatch } from '../points/points.service.js';
import { ENTRY_METRICS, packEntryRow } from './scoring.history.js';
import { scoringStore, streamTime, type StoredRating } from './scoring.store.js';
import { streamStore } from '../streams/streams.service.js';
import { rate, segmentAt, type Rating, type ScoringParams } from '../stickiness/index.js';
import type { Segment } from '@stickyroom/sdk/protocol';
import { emitWebhook, subscribed } from '../webhooks/webhooks.service.js';

export interface RollupStats {
  streamId: string;
  /** Viewer updates applied (a viewer changed in two batches counts twice). */
  viewers: number;
  batches: number;
  /** Redis requests made (a pipeline or a script call is one); most overlap, so this is not a count of waits. */
  roundTrips: number;
}

/** Batches in flight at once (read, merged, rated or being stored); the change index is read this many batches at a time. */
export const ROLLUP_BATCHES_IN_FLIGHT = 8;

const WATCH = ENTRY_METRICS.indexOf('watchMs');

/**
 * Rolls up what changed in a stream since its cursor, batch by batch: reads the changed viewers' absolute
 * activity, merges it into their per-brand histories, rates each merged history and stores the ratings
 * with the cursor in one script. Every step is absolute or a maximum, so a rerun, a second worker on the
 * same stream, or a restart after a crash at any point ends with the ratings of one clean run.
 *
 * Batches overlap: ROLLUP_BATCHES_IN_FLIGHT at a time, a new one started as soon as one is stored (no pause
 * between pages of the change index; the next page's ids are read while the current one is worked on).
 * Their reads and merges run together, and each batch's watch-point top-ups (one script call) and ratings go
 * in one pipeline, sent in batch order without waiting for the previous reply. The cursor still only moves
 * in order: a batch moves it only if it already reached where the batch started (score-apply-6.lua), so a
 * batch stored after an earlier one failed leaves the cursor before the failed one and the next rollup redoes
 * both.
 */
export async function rollupStream(ctx: AppContext, streamId: string, opts: { batch?: number } = {}): Promise<RollupStats> {
  const stats: RollupStats = { streamId, viewers: 0, batches: 0, roundTrips: 1 };
  const stream = await streamStore(ctx).get(streamId);
  if (!stream) return stats;
  const store = scoringStore(ctx);
  const batch = opts.batch ?? ctx.config.ROLLUP_BATCH;
  const startedAt = streamTime(stream);
  const page = (afterSeq: number) => {
    stats.roundTrips++;
    const p = changedViewers(ctx.redis, ctx.keys, streamId, afterSeq, batch * ROLLUP_BATCHES_IN_FLIGHT);
    p.catch(() => {}); // awaited on the next turn; a failure before then must not go unhandled
    return p;
  };

  /** Sent: resolves once the previous batch's store was handed to the connection (not answered). */
  let sent: Promise<void> = Promise.resolve();
  const oneBatch = async (changed: { viewerId: string; seq: number }[], fromSeq: number, previousSent: Promise<void>, markSent: () => void): Promise<void> => {
    let done: Promise<void>;
    try {
      const rows = await activityFields(ctx.redis, ctx.keys, streamId, changed.map((c) => c.viewerId), ENTRY_METRICS);
      const entries = changed.map((c, i) => ({ viewerId: c.viewerId, entry: packEntryRow(streamId, startedAt, rows[i]!) }));
      const histories = await store.merge(stream.brandId, entries);
      const rated = histories.flatMap((h, i) => {
        const rating = rate(h.entries, store.params);
        return rating ? [{ viewerId: changed[i]!.viewerId, version: h.version, rating }] : [];
      });
      // segment.changed: the segments before this batch, read only when the brand has a subscriber
      const before = watchSegments ? await store.ratings(stream.brandId, rated.map((r) => r.viewerId)) : [];
      const watchers = entries.map(({ viewerId, entry }) => ({ viewerId, watchSec: Math.floor(entryField(entry, WATCH) / 1000) }));
      await previousSent;
      const pipeline = ctx.redis.pipeline();
      queueWatchPointsBatch(ctx, pipeline, { brandId: stream.brandId, streamId, viewers: watchers, olderLayoutGone });
      const seq = changed[changed.length - 1]!.seq;
      store.queueApply(pipeline, stream.brandId, streamId, { fromSeq, seq }, rated);
      done = pipeline.exec().then(async (res) => {
        for (const [err] of res ?? []) if (err) throw err;
        ctx.log.debug({ streamId, viewers: changed.length, cursor: seq }, 'rollup batch applied');
        if (watchSegments) await emitSegmentChanges(ctx, stream.brandId, streamId, rated, before, store.params);
      });
    } finally {
      markSent();
    }
    stats.roundTrips += 3;
    await done;
  };

  const [watchSegments, olderLayoutGone] = await Promise.all([
    subscribed(ctx, stream.brandId, 'segment.changed'),
    olderPointsGone(ctx),
    store.dropLegacyKeys(stream.brandId),
  ]);
  let cursor = await store.cursor(stream.brandId, streamId);
  stats.roundTrips++;
  const inFlight = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  let next = page(cursor);
  try {
    for (;;) {
      const changed = await next;
      if (changed.length === 0) break;
      next = page(changed[changed.length - 1]!.seq);
      for (let i = 0; i < changed.length && !failure; i += batch) {
        while (inFlight.size >= ROLLUP_BATCHES_IN_FLIGHT && !failure) await Promise.race(inFlight);
        if (failure) break;
        const part = changed.slice(i, i + batch);
        let markSent!: () => void;
        const thisSent = new Promise<void>((resolve) => (markSent = resolve));
        const w: Promise<void> = oneBatch(part, cursor, sent, markSent).then(
          () => void inFlight.delete(w),
          (err: unknown) => {
            inFlight.delete(w);
            failure ??= { err };
          },
        );
        inFlight.add(w);
        sent = thisSent;
        cursor = part[part.length - 1]!.seq;
        stats.viewers += part.length;
        stats.batches++;
      }
      if (failure) break;
    }
  } finally {
    await Promise.allSettled([...inFlight, next]);
  }
  if (failure) throw failure.err;
  return stats;
}

/** Field `index` of ENTRY_METRICS in a packed entry (`<streamId>,<startedAt>,<metric>,...`), without splitting it. */
function entryField(entry: string, index: number): number {
  let at = 0;
  for (let commas = 0; commas < index + 2; commas++) at = entry.indexOf(',', at) + 1;
  const end = entry.indexOf(',', at);
  return Number(end < 0 ? entry.slice(at) : entry.slice(at, end)) || 0;
}

/**
 * Emits `segment.changed` for each rated viewer whose segment now differs from the one before the batch
 * (`from: null`: the viewer's first rating with the brand). Best effort: a failure is logged, never fails
 * the rollup, and a rerun finds the new ratings already stored (no change, no event). The event key holds
 * the history version, so one change is one delivery however often it is emitted.
 */
async function emitSegmentChanges(
  ctx: AppContext,
  brandId: string,
  streamId: string,
  rated: readonly { viewerId: string; version: number; rating: Rating }[],
  before: readonly (StoredRating | null)[],
  params: ScoringParams,
): Promise<void> {
  const now = ctx.clock.now();
  const emits = rated.flatMap(({ viewerId, version, rating }, i) => {
    const old = before[i];
    const from: Segment | null = old ? segmentAt(old, now, params) : null;
    const to = segmentAt(rating, now, params);
    if (from === to) return [];
    return [
      emitWebhook(ctx, brandId, 'segment.changed', `segment.changed:${viewerId}:${version}`, { viewerId, from, to, score: rating.score, streamId }, now),
    ];
  });
  for (const r of await Promise.allSettled(emits)) {
    if (r.status === 'rejected') ctx.log.warn({ err: r.reason, brandId, streamId }, 'segment.changed not recorded (best effort)');
  }
}
