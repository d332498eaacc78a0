import { QUIZ_RESULT_LISTED, type QuizResult } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { queueActivity } from '../activity/activity.store.js';
import { issueRewardCoupon } from '../coupons/coupons.rewards.js';
import { grantPoints } from '../points/points.service.js';
import { quizStore, type ClosedQuiz, type QuizRecord } from './quiz.store.js';
import type { OutboxEntry } from '../outbox/outbox.entry.js';
import { deliverEntry, outboxEntryId, outboxStore } from '../outbox/outbox.service.js';

/** Correct viewers rewarded per round trip. */
const REWARD_BATCH = 200;

/** Another caller is delivering this quiz's rewards right now: the job retries later, people just get the result. */
export class RewardDeliveryBusy extends Error {
  constructor(quizId: string) {
    super(`rewards of quiz ${quizId} are being delivered by another caller`);
    this.name = 'RewardDeliveryBusy';
  }
}

/**
 * Closes a quiz and announces its result, exactly once however many callers race (scheduled job,
 * `quiz:close`, stream end, job retries): the close script flips the quiz once and writes its outbox
 * entry in the same step; the entry's delivery (now, by this caller, or by the outbox sweep after a
 * crash) stores the result with HSETNX, pushes `quiz:result` and delivers the rewards. Rewards are
 * delivered by one caller at a time (a lease): grants are idempotent per viewer, and a per-viewer set
 * decides who records the activity and sends the private push, so nothing is paid twice.
 *
 * `onRewardError: 'throw'` (the job) lets BullMQ retry the delivery; `'log'` (a person waiting on an
 * ack) returns the result anyway and leaves the delivery to the job and the outbox sweep.
 */
export async function closeQuiz(
  ctx: AppContext,
  streamId: string,
  quizId: string,
  reason: 'timer' | 'streamer' | 'stream_end' | 'expired',
  now: number,
  onRewardError: 'throw' | 'log',
): Promise<QuizResult> {
  const store = quizStore(ctx);
  await outboxStore(ctx).listStream(streamId, now);
  const closed = await store.close(streamId, quizId, now, reason, QUIZ_RESULT_LISTED);
  if (closed.changed) ctx.log.info({ streamId, quizId, reason, answers: closed.answers, correct: closed.correct }, 'quiz closed');
  try {
    await deliverEntry(ctx, streamId, outboxEntryId({ kind: 'quiz.result', quizId }));
  } catch (err) {
    if (onRewardError === 'throw') throw err;
    if (err instanceof RewardDeliveryBusy) ctx.log.debug({ streamId, quizId }, err.message);
    else ctx.log.error({ err, streamId, quizId }, 'quiz result or rewards not delivered yet; the outbox sweep retries');
  }
  return closed.quiz.result ?? (await store.storedResult(streamId, quizId)) ?? buildResult(closed);
}

/**
 * Delivers a closed quiz's outbox entry (at least once): stores the result if no caller did (and makes
 * it the stream's last result, which the join ack carries), pushes it with the entry's id, then the
 * rewards (each viewer's push with an id of its own).
 */
export async function deliverQuizResult(ctx: AppContext, streamId: string, entryId: string, entry: Extract<OutboxEntry, { kind: 'quiz.result' }>): Promise<void> {
  const store = quizStore(ctx);
  const now = ctx.clock.now();
  // the quiz is closed already (the entry is written by its close): this reads what the result is built from
  const closed = await store.close(streamId, entry.quizId, now, 'timer', QUIZ_RESULT_LISTED);
  const built = buildResult(closed);
  const result = await store.publishResult(streamId, entry.quizId, built);
  ctx.broadcast.toStream(streamId).emit('quiz:result', { ...result, announcementId: entryId });
  if (!closed.quiz.rewardsDone) await deliverRewards(ctx, closed.quiz, now, entryId);
}

/** A pure function of the frozen quiz: every caller builds the same result. */
function buildResult(c: ClosedQuiz): QuizResult {
  const q = c.quiz;
  const couponN = q.coupon ? (q.couponFirstN ?? 0) : 0;
  const rewardedTotal = q.rewardPoints ? c.correct : Math.min(c.correct, couponN);
  const rewarded = c.firstCorrect.slice(0, Math.min(rewardedTotal, QUIZ_RESULT_LISTED)).map((userId, rank) => ({
    userId,
    ...(q.rewardPoints ? { points: q.rewardPoints } : {}),
    ...(rank < couponN ? { coupon: true } : {}),
  }));
  return {
    quizId: q.id,
    streamId: q.streamId,
    question: q.question,
    options: q.options,
    correctOption: q.correctOption,
    counts: c.counts,
    answers: c.answers,
    correct: c.correct,
    closedAt: q.closedAt ?? 0,
    rewarded,
    rewardedTotal,
  };
}

/**
 * Within the lease: grant (idempotent), then claim each viewer in the delivered set, and only for a
 * first claim record `quizCorrect` and push `reward:granted` with what this caller's grant credited.
 * (A viewer granted by a deliverer that died before its push is credited but gets no second push.)
 */
async function deliverRewards(ctx: AppContext, quiz: QuizRecord, now: number, entryId: string): Promise<void> {
  const store = quizStore(ctx);
  // held without renewal for DELIVERY_LEASE_MS at most: it renews every batch
  const lease = await store.deliveryLease(quiz.streamId, quiz.id, ctx.config.DELIVERY_LEASE_MS);
  if (!lease) throw new RewardDeliveryBusy(quiz.id);
  try {
    if (await store.rewardsDone(quiz.streamId, quiz.id)) return;
    const couponN = quiz.coupon ? (quiz.couponFirstN ?? 0) : 0;
    const at = quiz.closedAt ?? now;
    for (let start = 0; ; start += REWARD_BATCH) {
      if (start > 0 && !(await lease.renew())) throw new RewardDeliveryBusy(quiz.id);
      const viewers = await store.correctViewers(quiz.streamId, quiz.id, start, REWARD_BATCH);
      if (viewers.length === 0) break;
      const granted = await Promise.all(
        viewers.map(async (viewerId, i) => {
          const base = { streamId: quiz.streamId, brandId: quiz.brandId, viewerId, source: 'quiz' as const, sourceId: quiz.id };
          const points = quiz.rewardPoints ? await grantPoints(ctx, { ...base, points: quiz.rewardPoints }) : 0;
          const code =
            quiz.coupon && start + i < couponN
              ? await issueRewardCoupon(ctx, { ...base, title: quiz.coupon.title, discount: quiz.coupon.discount })
              : undefined;
          return { viewerId, points, code };
        }),
      );
      const first = await store.claimDelivery(quiz.streamId, quiz.id, viewers);
      const pipe = ctx.redis.pipeline();
      granted.forEach((g, i) => {
        if (!first[i]) return;
        queueActivity(pipe, ctx.keys, { streamId: quiz.streamId, viewerId: g.viewerId, metric: 'quizCorrect', at });
        if (g.points <= 0 && g.code === undefined) return;
        ctx.broadcast.toUser(g.viewerId).emit('reward:granted', {
          streamId: quiz.streamId,
          source: 'quiz',
          sourceId: quiz.id,
          ...(g.points > 0 ? { points: g.points } : {}),
          ...(g.code !== undefined && quiz.coupon ? { coupon: { code: g.code, title: quiz.coupon.title } } : {}),
          announcementId: `${entryId}.${g.viewerId}`,
        });
      });
      for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
      if (viewers.length < REWARD_BATCH) break;
    }
    await store.markRewardsDone(quiz.streamId, quiz.id);
  } finally {
    await lease.release();
  }
}
