import { AppError } from '../../../core/src/errors.js';
import { closePoll } from '../../../core/src/polls/polls.service.js';
import type { Processor } from './index.js';

/** Closes a timed poll on time. Safe to repeat and to race `poll:close`: the close happens once. */
export const pollCloseProcessor: Processor<'poll.close'> = async (ctx, { pollId, streamId }) => {
  try {
    const result = await closePoll(ctx, streamId, pollId, 'timer', ctx.clock.now());
    return { votes: result.votes };
  } catch (err) {
    // Scheduled for a poll whose creation was then refused: nothing to close.
    if (err instanceof AppError && err.code === 'not_found') return { skipped: 'no such poll' };
    throw err;
  }
};
