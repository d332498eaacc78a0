import type { AppContext } from '../context.js';
import { perContext } from '../context.js';
import { INTERACTION_METRICS, type ViewerActivity } from '../activity/activity.metrics.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { BATCH, SummaryStore } from './summary.store.js';

export const summaryStore = perContext((ctx) => new SummaryStore(ctx.redis, ctx.keys));

/** When a stream counts as having happened, for "earlier stream" comparisons: its start (or creation, never started). */
export const streamStart = (s: StreamRecord): number => s.startedAt ?? s.createdAt;

/** One viewer as the per-viewer pass sees them. */
export interface ViewerRow {
  viewerId: string;
  activity: ViewerActivity;
  /** Attended an earlier stream of the brand. */
  returning: boolean;
  /** Bought in an earlier stream of the brand. */
  returningBuyer: boolean;
}

export const metric = (a: ViewerActivity, m: keyof ViewerActivity): number => a[m] ?? 0;

/** Interactions other than likes (a tapping finger would drown everything else). */
export function interactionsOf(a: ViewerActivity): number {
  let n = 0;
  for (const m of INTERACTION_METRICS) if (m !== 'likes') n += metric(a, m);
  return n;
}

export function isEngaged(a: ViewerActivity): boolean {
  return INTERACTION_METRICS.some((m) => metric(a, m) > 0);
}

/**
 * Walks the stream's viewers (sorted by id) in batches of BATCH: one pipeline of activity hashes and one
 * lookup of the brand's first-seen indexes per batch, so a 100k-viewer stream never holds the event loop.
 */
export async function forEachViewerBatch(
  ctx: AppContext,
  stream: StreamRecord,
  viewers: readonly string[],
  onBatch: (rows: ViewerRow[]) => void | Promise<void>,
): Promise<void> {
  const store = summaryStore(ctx);
  const start = streamStart(stream);
  const read = (ids: string[]) => {
    const p = Promise.all([store.activities(stream.id, ids), store.firstSeen(stream.brandId, ids)]);
    p.catch(() => {}); // awaited below; this only keeps a read-ahead that fails after an earlier throw from going unhandled
    return p;
  };
  // One batch read ahead: Redis answers the next batch while this one is summed.
  let next = read(viewers.slice(0, BATCH));
  for (let i = 0; i < viewers.length; i += BATCH) {
    const ids = viewers.slice(i, i + BATCH);
    const [activities, first] = await next;
    if (i + BATCH < viewers.length) next = read(viewers.slice(i + BATCH, i + 2 * BATCH));
    await onBatch(
      ids.map((viewerId, j) => ({
        viewerId,
        activity: activities[j]!,
        returning: (first.seen[j] ?? Infinity) < start,
        returningBuyer: (first.bought[j] ?? Infinity) < start,
      })),
    );
  }
}

/** The brand's streams (other than this one) that went live before this one started, oldest first. */
export function earlierStreams(stream: StreamRecord, all: readonly StreamRecord[]): StreamRecord[] {
  const start = streamStart(stream);
  return all
    .filter((s) => s.id !== stream.id && s.startedAt !== undefined && s.startedAt < start)
    .sort((a, b) => a.startedAt! - b.startedAt!);
}

/**
 * Makes sure every earlier stream's viewers (and buyers) are in the brand's first-seen indexes, so this
 * stream's new/returning split is exact even if an earlier stream was never finalized. Ended streams are
 * indexed once; a stream still live is indexed again each time (its audience may still grow). Answers how
 * many streams it indexed now.
 */
export async function indexEarlierStreams(ctx: AppContext, stream: StreamRecord, earlier: readonly StreamRecord[]): Promise<number> {
  const store = summaryStore(ctx);
  const done = await store.indexedStreams(stream.brandId, earlier.map((s) => s.id));
  let indexed = 0;
  for (const [i, s] of earlier.entries()) {
    if (done[i]) continue;
    await indexStream(ctx, s, [...(await store.population(s.id))]);
    indexed++;
  }
  return indexed;
}

/** Records a stream's viewers and buyers in its brand's first-seen indexes (idempotent: the earliest start wins). */
export async function indexStream(ctx: AppContext, s: StreamRecord, viewers: readonly string[], buyers?: readonly string[]): Promise<void> {
  const store = summaryStore(ctx);
  let bought = buyers;
  if (!bought) {
    // every batch's read sent at once (one script call each), the buyers kept in the viewers' order
    const reads: Promise<ViewerActivity[]>[] = [];
    for (let i = 0; i < viewers.length; i += BATCH) reads.push(store.activities(s.id, viewers.slice(i, i + BATCH)));
    const found: string[] = [];
    (await Promise.all(reads)).forEach((acts, b) => {
      acts.forEach((a, j) => {
        if (metric(a, 'orders') > 0) found.push(viewers[b * BATCH + j]!);
      });
    });
    bought = found;
  }
  await store.indexViewers(s.brandId, streamStart(s), viewers, bought);
  if (s.status === 'ended') await store.markIndexed(s.brandId, s.id);
}
