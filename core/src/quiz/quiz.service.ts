import type { QuizPublic, RequestPayload } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { userGate } from '../redis/event-gate.js';
import { staffCounts } from '../staff-counts.js';
import { addMoment } from '../activity/activity.store.js';
import { newScopedId, streamOf } from '../streams/scoped-id.js';
import { controlledStream } from '../streams/streams.service.js';
import { closeQuiz } from './quiz.close.js';
import { quizStore, type QuizRecord } from './quiz.store.js';

/** The stream a quiz id belongs to; ids we did not mint are simply not found. */
export const streamOfQuiz = (quizId: string): string => streamOf(quizId, 'quiz');

export async function createQuiz(
  ctx: AppContext,
  user: User,
  input: RequestPayload<'quiz:create'>,
  now: number,
): Promise<{ id: string; endsAt: number }> {
  const stream = await controlledStream(ctx, user, input.streamId);
  if (stream.status !== 'live') throw new AppError('not_live', 'quizzes run while the stream is live');
  const id = newScopedId(stream.id);
  const endsAt = now + input.durationSec * 1000;
  const { points, couponFirstN, coupon } = input.reward;
  const pub: QuizPublic = {
    id,
    streamId: stream.id,
    question: input.question,
    options: input.options,
    endsAt,
    reward: {
      ...(points !== undefined ? { points } : {}),
      ...(couponFirstN !== undefined && coupon !== undefined ? { couponFirstN, coupon } : {}),
    },
  };
  const quiz: QuizRecord = {
    id,
    streamId: stream.id,
    brandId: stream.brandId,
    question: input.question,
    options: input.options,
    correctOption: input.correctOption,
    endsAt,
    createdAt: now,
    createdBy: user.id,
    public: pub,
    status: 'open',
    rewardsDone: false,
    ...(points !== undefined ? { rewardPoints: points } : {}),
    ...(couponFirstN !== undefined && coupon !== undefined ? { couponFirstN, coupon } : {}),
  };
  // The timer goes in first: a quiz never exists without its close. A job for a quiz that was then
  // refused finds nothing and ends quietly.
  await ctx.jobs.at({ type: 'quiz.close', quizId: id, streamId: stream.id }, endsAt, now);
  let refused = await quizStore(ctx).create(quiz);
  if (refused?.refusal === 'quiz_open') {
    // The open quiz ran out but its timer has not closed it yet (worker down or late): close it now.
    const open = await quizStore(ctx).get(stream.id, String(refused.detail));
    if (open && open.endsAt <= now) {
      await closeQuiz(ctx, stream.id, open.id, 'expired', now, 'log');
      refused = await quizStore(ctx).create(quiz);
    }
  }
  if (refused) throw refused.toError();
  await addMoment(ctx.redis, ctx.keys, stream.id, { at: now, kind: 'quiz', id, label: input.question });
  ctx.broadcast.toStream(stream.id).emit('quiz:started', pub);
  ctx.log.info({ streamId: stream.id, quizId: id, endsAt, by: user.id }, 'quiz started');
  return { id, endsAt };
}

export async function answerQuiz(ctx: AppContext, user: User, streamId: string, quizId: string, option: number, now: number): Promise<void> {
  // the answer and its activity record are one script
  await quizStore(ctx).answer(streamId, quizId, user.id, option, now, userGate(ctx, streamId, user.id));
  staffCounts(ctx).push(`quiz:${quizId}`, () => pushLiveAnswers(ctx, streamId, quizId));
}

/** The staff's live view of an open quiz: answers per option (never sent to the room before the close). */
async function pushLiveAnswers(ctx: AppContext, streamId: string, quizId: string): Promise<void> {
  const quiz = await quizStore(ctx).get(streamId, quizId);
  if (!quiz || quiz.status !== 'open') return;
  const byOption = await quizStore(ctx).liveCounts(streamId, quizId);
  const counts = quiz.options.map((_, i) => Number(byOption[String(i)] ?? 0));
  ctx.broadcast.toStaff(streamId).emit('quiz:answers', { quizId, streamId, counts, answers: counts.reduce((a, b) => a + b, 0) });
}
