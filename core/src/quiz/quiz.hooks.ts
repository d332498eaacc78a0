import type { DomainFeature } from '../feature.js';
import { closeQuiz } from './quiz.close.js';
import { quizStore } from './quiz.store.js';
import { joinRead } from '../room/join-reads.js';

/** Quizzes: the join ack carries the open one; the stream's end closes it. */
export const quizHooks: DomainFeature = {
  name: 'quiz',
  async onJoin(ctx, stream) {
    const quiz = await joinRead(ctx, stream.id, 'quiz', () => quizStore(ctx).openPublic(stream.id, ctx.clock.now()));
    return quiz ? { quiz } : {};
  },
  async onStreamEnd(ctx, stream) {
    const open = await quizStore(ctx).openQuizId(stream.id);
    if (open) await closeQuiz(ctx, stream.id, open, 'stream_end', ctx.clock.now(), 'log');
  },
};
