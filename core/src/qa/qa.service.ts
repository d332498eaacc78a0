import type { QuestionPublic, QuestionReward } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { userGate } from '../redis/event-gate.js';
import { wordsForMatching } from '../chat/chat.text.js';
import { issueRewardCoupon } from '../coupons/coupons.rewards.js';
import { grantPoints } from '../points/points.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { getStream } from '../streams/streams.service.js';
import type { OutboxEntry } from '../outbox/outbox.entry.js';
import { deliverEntry, outboxEntryId, outboxStore } from '../outbox/outbox.service.js';
import { publicQuestion, QaStore, type QuestionRecord } from './qa.store.js';
import { newScopedId, streamOf } from '../streams/scoped-id.js';
import { addMoment } from '../activity/activity.store.js';

export const qaStore = perContext((ctx) => new QaStore(ctx.redis, ctx.keys));

/** The stream a question id belongs to; ids we did not mint are simply not found. */
export const streamOfQuestion = (questionId: string): string => streamOf(questionId, 'question');

export async function askQuestion(ctx: AppContext, user: User, streamId: string, text: string, now: number): Promise<QuestionPublic> {
  const id = newScopedId(streamId);
  const res = await qaStore(ctx).ask({ streamId, id, userId: user.id, name: user.name, text, words: wordsForMatching(text), at: now }, userGate(ctx, streamId, user.id));
  // the question and its activity record are one script
  const question = publicQuestion(res);
  ctx.broadcast.toStream(streamId).emit('qa:question', question);
  return question;
}

export async function upvoteQuestion(ctx: AppContext, user: User, streamId: string, questionId: string, now: number): Promise<number> {
  // the upvote and its activity record are one script
  const question = publicQuestion(await qaStore(ctx).upvote(streamId, questionId, user.id, now, userGate(ctx, streamId, user.id)));
  ctx.broadcast.toStream(streamId).emit('qa:updated', question);
  return question.votes;
}

/**
 * Marks a question answered and pays its reward. The reward is stored by the same script that marks the
 * question, with its outbox entry; grants are idempotent per question, and one caller at a time delivers
 * (a lease). So a reward is delivered even if this node dies right after (the outbox sweep), and when
 * delivery fails the streamer can send `qa:answered` again: the stored reward is delivered (never a
 * second or a different one) and the asker is told once.
 */
export async function markAnswered(
  ctx: AppContext,
  user: User,
  stream: StreamRecord,
  questionId: string,
  reward: QuestionReward | undefined,
  now: number,
): Promise<QuestionPublic> {
  await outboxStore(ctx).listStream(stream.id, now);
  const { changed, question } = await qaStore(ctx).markAnswered(stream.id, questionId, user.id, now, reward);
  if (changed) ctx.broadcast.toStream(stream.id).emit('qa:updated', publicQuestion(question));
  // A retry delivers a reward that failed before; otherwise a second qa:answered is already_done.
  const deliveredNow =
    question.reward !== undefined &&
    !question.rewardDone &&
    (await deliverEntry(ctx, stream.id, outboxEntryId({ kind: 'question.reward', questionId }))) === 'delivered';
  // an answered question is a moment of the stream (the mechanics report), recorded once, by the call that
  // answered it, after the reward's delivery so a concurrent second answer still finds it done
  if (changed) {
    await addMoment(ctx.redis, ctx.keys, stream.id, { at: now, kind: 'qa', id: question.id, label: question.text }).catch((err: unknown) =>
      ctx.log.warn({ err, questionId: question.id }, 'question moment not recorded'),
    );
  }
  if (!changed && !deliveredNow) throw new AppError('already_done', 'the question was answered already');
  return publicQuestion(question);
}

/** Delivers a question's reward from its outbox entry (at least once: the grant is idempotent, the push carries the entry's id). */
export async function deliverQuestionReward(ctx: AppContext, streamId: string, entryId: string, entry: Extract<OutboxEntry, { kind: 'question.reward' }>): Promise<void> {
  const q = await qaStore(ctx).get(streamId, entry.questionId);
  if (!q) return;
  const stream = await getStream(ctx, streamId);
  if ((await deliverReward(ctx, stream, q, entryId)) === 'busy') throw new AppError('unavailable', 'another caller is delivering this reward', { retryAfterMs: 1000 });
}

/** Delivers the stored reward: 'done' when it was delivered already, 'busy' while another caller delivers it. */
async function deliverReward(ctx: AppContext, stream: StreamRecord, q: QuestionRecord, entryId: string): Promise<'delivered' | 'done' | 'busy'> {
  const reward = q.reward;
  if (!reward) return 'done';
  const store = qaStore(ctx);
  const lease = await store.rewardLease(stream.id, q.id, ctx.config.DELIVERY_LEASE_MS);
  if (!lease) return 'busy';
  try {
    if (await store.rewardDone(stream.id, q.id)) return 'done';
    const base = { streamId: stream.id, brandId: stream.brandId, viewerId: q.userId, source: 'question' as const, sourceId: q.id };
    let points = 0;
    let code: string | undefined;
    try {
      if (reward.points) points = await grantPoints(ctx, { ...base, points: reward.points });
      if (reward.coupon) code = await issueRewardCoupon(ctx, { ...base, title: reward.coupon.title, discount: reward.coupon.discount });
    } catch (err) {
      ctx.log.error({ err, questionId: q.id }, 'question reward delivery failed');
      throw new AppError('unavailable', 'the question is answered but its reward could not be delivered yet; send qa:answered again', {
        retryAfterMs: 1000,
      });
    }
    await store.markRewardDone(stream.id, q.id);
    if (points > 0 || code !== undefined) {
      ctx.broadcast.toUser(q.userId).emit('reward:granted', {
        streamId: stream.id,
        source: 'question',
        sourceId: q.id,
        ...(points > 0 ? { points } : {}),
        ...(code !== undefined && reward.coupon ? { coupon: { code, title: reward.coupon.title } } : {}),
        announcementId: entryId,
      });
    }
    return 'delivered';
  } finally {
    await lease.release();
  }
}
