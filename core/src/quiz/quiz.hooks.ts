import type { DomainFeature } from '../feature.js';
import { closeQuiz } from './quiz.close.js';
import { quizStore } from './quiz.store.js';
import { joinRead } from '../room/join-reads.js';

/**
 * Quizzes: the join ack carries the open one and the last closed one's result (a viewer who was away when
 * `quiz:result` went out gets it from there); the stream's end closes the open one.
 */
export const quizHooks: DomainFeature = {
  name: 'quiz',
  async onJoin(ctx, stream) {
    const { open, lastResult } = await joinRead(ctx, stream.id, 'quiz', () => quizStore(ctx).joinView(stream.id, ctx.clock.now()));
    return { ...(open ? { quiz: open } : {}), ...(lastResult ? { quizResult: lastResult } : {}) };
  },
  async onStreamEnd(ctx, stream) {
    const open = await quizStore(ctx).openQuizId(stream.id);
    if (open) await closeQuiz(ctx, stream.id, open, 'stream_end', ctx.clock.now(), 'log');
  },
};
