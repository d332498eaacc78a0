import { AppError } from '../../../core/src/errors.js';
import { endDrop } from '../../../core/src/coupons/coupons.service.js';
import type { Processor } from './index.js';

/**
 * Closes a coupon drop when its window ends. Safe to run twice or to race the streamer's `coupon:end`:
 * the end script changes the drop once and only that call pushes `coupon:ended`.
 */
export const dropEnd: Processor<'drop.end'> = async (ctx, { streamId, dropId }) => {
  try {
    return await endDrop(ctx, streamId, dropId, 'expired');
  } catch (err) {
    // a drop that is gone (its data removed) has nothing left to close
    if (err instanceof AppError && err.code === 'not_found') return { skipped: 'not_found' };
    throw err;
  }
};
