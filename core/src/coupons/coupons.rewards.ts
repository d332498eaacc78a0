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
  const holder = { kind: 'reward' as const, field };
  // indexed before the viewer is told it (an earlier call may have issued it and died before indexing it)
  const told = (code: string) => store.index(reward.streamId, code, (old, fresh) => store.recode({ streamId: reward.streamId, holder, old, fresh }));
  const existing = await store.rewardCode(reward.streamId, field);
  if (existing) return told(existing);
  const now = ctx.clock.now();
  for (;;) {
    const proposed = store.newCode();
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
    if (!code) continue; // the proposed code is this stream's already: nothing changed, another
    if (code === proposed) await recordActivity(ctx.redis, ctx.keys, { streamId: reward.streamId, viewerId: reward.viewerId, metric: 'couponClaims', at: now });
    return told(code);
  }
}
