import { joinHook, type DomainFeature } from '../feature.js';
import { closeQuiz } from './quiz.close.js';
import { quizStore } from './quiz.store.js';

/**
 * Quizzes: the join ack carries the open one and the last closed one's result (a viewer who was away when
 * `quiz:result` went out gets it from there); the stream's end closes the open one.
 */
export const quizHooks: DomainFeature = {
  name: 'quiz',
  join: joinHook({
    // the part itself is the same for every join of the moment
    shared: async (ctx, stream) => {
      const { open, lastResult } = await quizStore(ctx).joinView(stream.id, ctx.clock.now());
      return { ...(open ? { quiz: open } : {}), ...(lastResult ? { quizResult: lastResult } : {}) };
    },
    part: (_ctx, _stream, _user, _args, part) => part,
  }),
  async onStreamEnd(ctx, stream) {
    const open = await quizStore(ctx).openQuizId(stream.id);
    if (open) await closeQuiz(ctx, stream.id, open, 'stream_end', ctx.clock.now(), 'log');
  },
};
