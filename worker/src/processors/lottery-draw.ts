import { AppError } from '../../../core/src/errors.js';
import { drawLottery } from '../../../core/src/lottery/lottery.service.js';
import type { Processor } from './index.js';

/**
 * Draws a lottery at its end time. Safe to run twice or to race the streamer's `lottery:draw`: the draw
 * itself happens once (see drawLottery) and a later run only reads the stored result.
 */
export const drawLotteryJob: Processor<'lottery.draw'> = async (ctx, { lotteryId, streamId }) => {
  try {
    const { result, announced } = await drawLottery(ctx, streamId, lotteryId);
    return { winners: result.winners.length, entrants: result.entrants, announced };
  } catch (err) {
    // A job scheduled for a lottery whose creation was then refused: nothing to draw, nothing to retry.
    if (err instanceof AppError && err.code === 'not_found') return { skipped: 'not_found' };
    throw err;
  }
};
