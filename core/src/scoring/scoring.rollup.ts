import type { AppContext } from '../context.js';
import { activityFields, changedViewers } from '../activity/activity.store.js';
import { queueWatchPointsBatch } from '../points/points.service.js';
import { ENTRY_METRICS, packEntryFields } from './scoring.history.js';
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

/** Batches read from the change index at once and worked on together. */
export const ROLLUP_BATCHES_IN_FLIGHT = 8;

const WATCH = ENTRY_METRICS.indexOf('watchMs');

/**
 * Rolls up what changed in a stream since its cursor, batch by batch: reads the changed viewers' absolute
 * activity, merges it into their per-brand histories, rates each merged history and stores the ratings
 * with the cursor in one script. Every step is absolute or a maximum, so a rerun, a second worker on the
 * same stream, or a restart after a crash at any point ends with the ratings of one clean run.
 *
 * Batches overlap (ROLLUP_BATCHES_IN_FLIGHT at a time, the next ones' ids read meanwhile): their reads and
 * merges run together, and each batch's watch-point top-ups (one script call) and ratings go in one pipeline, sent in batch
 * order without waiting for the previous reply. The cursor still only moves in order: a batch moves it only
 * if it already reached where the batch started (score-apply-9.lua), so a batch stored after an earlier one
 * failed leaves the cursor before the failed one and the next rollup redoes both.
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
  const stored: Promise<void>[] = [];
  const oneBatch = async (changed: { viewerId: string; seq: number }[], fromSeq: number, previousSent: Promise<void>): Promise<void> => {
    const fields = await activityFields(ctx.redis, ctx.keys, streamId, changed.map((c) => c.viewerId), ENTRY_METRICS);
    const entries = changed.map((c, i) => ({ viewerId: c.viewerId, entry: packEntryFields(streamId, startedAt, fields[i]!) }));
    const histories = await store.merge(stream.brandId, entries);
    const rated = histories.flatMap((h, i) => {
      const rating = rate(h.entries, store.params);
      return rating ? [{ viewerId: changed[i]!.viewerId, version: h.version, rating }] : [];
    });
    // segment.changed: the segments before this batch, read only when the brand has a subscriber
    const before = watchSegments ? await store.ratings(stream.brandId, rated.map((r) => r.viewerId)) : [];
    await previousSent;
    const pipeline = ctx.redis.pipeline();
    const watchers = changed.map((c, i) => ({ viewerId: c.viewerId, watchSec: Math.floor((Number(fields[i]![WATCH] ?? 0) || 0) / 1000) }));
    queueWatchPointsBatch(ctx, pipeline, { brandId: stream.brandId, streamId, viewers: watchers });
    const seq = changed[changed.length - 1]!.seq;
    store.queueApply(pipeline, stream.brandId, streamId, { fromSeq, seq }, rated);
    const done = pipeline.exec().then(async (res) => {
      for (const [err] of res ?? []) if (err) throw err;
      ctx.log.debug({ streamId, viewers: changed.length, cursor: seq }, 'rollup batch applied');
      if (watchSegments) await emitSegmentChanges(ctx, stream.brandId, streamId, rated, before, store.params);
    });
    done.catch(() => {}); // awaited with the others at the end of the page
    stored.push(done);
    stats.roundTrips += 3;
  };

  const watchSegments = await subscribed(ctx, stream.brandId, 'segment.changed');
  let cursor = await store.cursor(stream.brandId, streamId);
  stats.roundTrips++;
  let next = page(cursor);
  for (;;) {
    const changed = await next;
    if (changed.length === 0) break;
    const reached = changed[changed.length - 1]!.seq;
    next = page(reached);
    const work: Promise<void>[] = [];
    for (let i = 0; i < changed.length; i += batch) {
      const part = changed.slice(i, i + batch);
      let markSent!: () => void;
      const thisSent = new Promise<void>((resolve) => (markSent = resolve));
      const w = oneBatch(part, cursor, sent).finally(markSent);
      work.push(w);
      sent = thisSent;
      cursor = part[part.length - 1]!.seq;
      stats.viewers += part.length;
      stats.batches++;
    }
    try {
      await Promise.all(work);
      await Promise.all(stored);
    } catch (err) {
      await Promise.allSettled([...work, ...stored, next]);
      throw err;
    }
    stored.length = 0;
  }
  return stats;
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
