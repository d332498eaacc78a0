import type { Feature } from '../types.js';
import { closeQuiz } from '../../../../core/src/quiz/quiz.close.js';
import { quizHandlers } from './quiz.handlers.js';
import { quizStore } from '../../../../core/src/quiz/quiz.store.js';

/** Quizzes: one open per stream, one final answer per viewer, closed once on time (job), by staff or at the end. */
export const quizFeature: Feature = {
  name: 'quiz',
  handlers: quizHandlers,
  async onJoin(ctx, stream) {
    const quiz = await quizStore(ctx).openPublic(stream.id, ctx.clock.now());
    return quiz ? { quiz } : {};
  },
  async onStreamEnd(ctx, stream) {
    const open = await quizStore(ctx).openQuizId(stream.id);
    if (open) await closeQuiz(ctx, stream.id, open, 'stream_end', ctx.clock.now(), 'log');
  },
};
