import { perContext, type AppContext } from '../context.js';
import { recordActivity } from '../activity/activity.store.js';
import { CouponCodeStore } from './coupons.codes.store.js';

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

export const couponCodes = perContext((ctx) => new CouponCodeStore(ctx.redis, ctx.keys));

/**
 * Issues a unique, unguessable coupon code to one viewer as a reward (no stock), recorded so the order
 * webhook can redeem and attribute it. Idempotent per (source, sourceId, viewer): returns the same code.
 * A newly issued code counts as a `couponClaims` for the viewer, so redemptions / claims stays a true rate.
 */
export async function issueRewardCoupon(ctx: AppContext, reward: RewardCoupon): Promise<string> {
  const store = couponCodes(ctx);
  const field = `${reward.source}:${reward.sourceId}:${reward.viewerId}`;
  const existing = await store.rewardCode(reward.streamId, field);
  if (existing) return existing;
  const now = ctx.clock.now();
  const proposed = await store.propose(reward.streamId);
  const code = await store.issueReward(field, {
    code: proposed,
    streamId: reward.streamId,
    brandId: reward.brandId,
    viewerId: reward.viewerId,
    source: reward.source,
    sourceId: reward.sourceId,
    title: reward.title,
    discount: reward.discount,
    at: now,
  });
  if (code !== proposed) {
    await store.withdraw(proposed);
    return code;
  }
  await recordActivity(ctx.redis, ctx.keys, { streamId: reward.streamId, viewerId: reward.viewerId, metric: 'couponClaims', at: now });
  return code;
}
