import { AppError } from '../../../core/src/errors.js';
import { closeQuiz } from '../../../core/src/quiz/quiz.close.js';
import type { Processor } from './index.js';

/**
 * Closes a quiz on time. Safe to run any number of times and to race `quiz:close`: the close happens
 * once, the result is pushed once, and a run that finds the quiz closed finishes any reward delivery
 * left undone. A delivery error, or another caller delivering right now (RewardDeliveryBusy), fails this
 * run so BullMQ retries it with backoff; the retry finds the rewards delivered, or takes over.
 */
export const quizCloseProcessor: Processor<'quiz.close'> = async (ctx, { quizId, streamId }) => {
  try {
    const result = await closeQuiz(ctx, streamId, quizId, 'timer', ctx.clock.now(), 'throw');
    return { answers: result.answers, correct: result.correct };
  } catch (err) {
    // Scheduled for a quiz whose creation was then refused: nothing to close.
    if (err instanceof AppError && err.code === 'not_found') return { skipped: 'no such quiz' };
    throw err;
  }
};
