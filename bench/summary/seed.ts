import type { ActivityMetric } from '../../core/src/activity/activity.metrics.js';
import { addMoment, queueActivity } from '../../core/src/activity/activity.store.js';
import type { AppContext } from '../../core/src/context.js';
import { touchViewer } from '../../core/src/presence/presence.store.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { StreamStore } from '../../core/src/streams/streams.store.js';

const METRICS: ActivityMetric[] = ['chat', 'likes', 'questions', 'upvotes', 'quizAnswers', 'quizCorrect', 'lotteryEntries', 'couponClaims', 'clicks'];
const CHUNK = 1000;
const HOUR = 3_600_000;

export interface Seeded {
  brandId: string;
  /** The live stream, `viewers` viewers. */
  streamId: string;
  /** An ended, rolled-up stream of the same brand a week earlier, attended by every third viewer. */
  earlierId: string;
  viewers: number;
  /** What the seed put in, for exactness checks. */
  expected: { uniqueViewers: number; returningViewers: number; chatMessages: number; chatters: number; orders: number; buyers: number };
}

export const viewerId = (i: number): string => `viewer${String(i).padStart(7, '0')}`;

/**
 * Seeds a brand with an ended, rolled-up earlier stream and a live stream of `viewers` viewers through the
 * product's own stores and scripts (the presence script for joins, the ledger script for activity, the
 * rollup for the earlier stream's histories): the data a live stream of that size has, without sockets.
 */
export async function seedLiveStream(ctx: AppContext, opts: { viewers: number; brandId?: string; now?: number }): Promise<Seeded> {
  const brandId = opts.brandId ?? 'bench-brand';
  const now = opts.now ?? ctx.clock.now();
  const streams = new StreamStore(ctx.redis, ctx.keys);
  const earlierId = `${brandId}-earlier`;
  const streamId = `${brandId}-live`;
  const earlierStart = now - 7 * 24 * HOUR;
  await streams.create({ id: earlierId, title: 'earlier', brandId, status: 'scheduled', createdBy: 'bench', createdAt: earlierStart - HOUR });
  await streams.transition(earlierId, 'live', earlierStart);
  const earlierViewers: number[] = [];
  for (let i = 0; i < opts.viewers; i += 3) earlierViewers.push(i);
  await forChunks(earlierViewers, async (ids) => {
    await Promise.all(ids.map((i) => touchViewer(ctx.redis, ctx.keys, earlierId, viewerId(i), 'join', earlierStart + 1000)));
    const p = ctx.redis.pipeline();
    for (const i of ids) {
      queueActivity(p, ctx.keys, { streamId: earlierId, viewerId: viewerId(i), metric: 'watchMs', n: 60_000 * (1 + (i % 30)), at: earlierStart + 2000 });
      queueActivity(p, ctx.keys, { streamId: earlierId, viewerId: viewerId(i), metric: METRICS[i % METRICS.length]!, n: 1 + (i % 4), at: earlierStart + 3000 });
      if (i % 9 === 0) queueActivity(p, ctx.keys, { streamId: earlierId, viewerId: viewerId(i), metric: 'orders', n: 1, at: earlierStart + 4000 });
    }
    await p.exec();
  });
  await streams.transition(earlierId, 'ended', earlierStart + 2 * HOUR);
  await rollupStream(ctx, earlierId);

  const start = now - HOUR;
  await streams.create({ id: streamId, title: 'live', brandId, status: 'scheduled', createdBy: 'bench', createdAt: start - HOUR });
  await streams.transition(streamId, 'live', start);
  await addMoment(ctx.redis, ctx.keys, streamId, { at: start + 60_000, kind: 'product', id: 'p1', label: 'Product 1' });
  await addMoment(ctx.redis, ctx.keys, streamId, { at: start + 120_000, kind: 'quiz', id: 'q1', label: 'Quiz 1' });
  const expected = { uniqueViewers: opts.viewers, returningViewers: earlierViewers.length, chatMessages: 0, chatters: 0, orders: 0, buyers: 0 };
  const all = Array.from({ length: opts.viewers }, (_, i) => i);
  await forChunks(all, async (ids) => {
    await Promise.all(ids.map((i) => touchViewer(ctx.redis, ctx.keys, streamId, viewerId(i), 'join', start + (i % 3000) * 1000)));
    const p = ctx.redis.pipeline();
    for (const i of ids) {
      const at = start + (i % 3000) * 1000;
      queueActivity(p, ctx.keys, { streamId, viewerId: viewerId(i), metric: 'watchMs', n: 15_000 * (1 + (i % 240)), at });
      if (i % 2 === 0) {
        const metric = METRICS[(i >> 1) % METRICS.length]!;
        const n = 1 + (i % 5);
        queueActivity(p, ctx.keys, { streamId, viewerId: viewerId(i), metric, n, at });
        if (metric === 'chat') {
          expected.chatMessages += n;
          expected.chatters++;
        }
      }
      if (i % 7 === 0) {
        queueActivity(p, ctx.keys, { streamId, viewerId: viewerId(i), metric: 'orders', n: 1 + (i % 2), at });
        queueActivity(p, ctx.keys, { streamId, viewerId: viewerId(i), metric: 'revenueCents', n: 2500, at });
        expected.orders += 1 + (i % 2);
        expected.buyers++;
      }
    }
    await p.exec();
  });
  return { brandId, streamId, earlierId, viewers: opts.viewers, expected };
}

async function forChunks<T>(items: readonly T[], fn: (chunk: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) await fn(items.slice(i, i + CHUNK));
}
