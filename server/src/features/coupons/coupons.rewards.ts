import type { AppContext } from '../../context.js';

export interface RewardCoupon {
  streamId: string;
  brandId: string;
  viewerId: string;
  title: string;
  discount: { type: 'percent' | 'amount'; value: number };
  source: 'quiz' | 'question' | 'lottery';
  /** Idempotency: the same (source, sourceId, viewer) gets the same code. */
  sourceId: string;
}

/**
 * Issues a unique, unguessable coupon code to one viewer as a reward (no stock), recorded so the order
 * webhook can redeem and attribute it. Idempotent per (source, sourceId, viewer): returns the same code.
 * CONTRACT STUB: implemented by the coupons feature.
 */
export async function issueRewardCoupon(_ctx: AppContext, _reward: RewardCoupon): Promise<string> {
  throw new Error('issueRewardCoupon: not implemented yet');
}
