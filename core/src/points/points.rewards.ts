import type { PointsBalance, Redemption, RedemptionRecord, RequestPayload, Reward, RewardCreate, RewardPatch } from '@stickyroom/sdk/protocol';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { canReadBrand, type User } from '../identity/tokens.js';
import { newCouponCode } from '../coupons/coupons.codes.js';
import { newId } from '../streams/streams.service.js';
import { balanceOfLots, loyaltyTiers } from './points.service.js';
import { RewardsStore } from './points.rewards.store.js';

const DAY_MS = 86_400_000;

export const rewardsStore = perContext((ctx) => new RewardsStore(ctx.redis, ctx.keys));

/** The brand team (brand token of the brand) and admins manage a brand's catalog. */
export function canManageRewards(user: User, brandId: string): boolean {
  return user.role === 'admin' || (user.role === 'brand' && user.brandId === brandId);
}

function authorizeManage(user: User, brandId: string): void {
  if (!canManageRewards(user, brandId)) throw new AppError('forbidden', 'only a brand token of this brand, or an admin, manages its rewards');
}

function authorizeRead(user: User, brandId: string): void {
  if (!canReadBrand(user, brandId)) throw new AppError('forbidden', 'a brand token reads only its own brand');
}

/** The brand of a reward id (`<brandId>.<random>`); an id we did not mint is simply not found. */
export function brandOfReward(rewardId: string): string {
  const dot = rewardId.lastIndexOf('.');
  if (dot <= 0 || dot === rewardId.length - 1) throw new AppError('not_found', 'no such reward');
  return rewardId.slice(0, dot);
}

export async function createReward(ctx: AppContext, user: User, brandId: string, body: RewardCreate): Promise<Reward> {
  authorizeManage(user, brandId);
  const tiers = loyaltyTiers(ctx);
  if (body.minTier !== undefined && !tiers.some((t) => t.name === body.minTier)) {
    throw new AppError('invalid_payload', `minTier: not a loyalty tier (${tiers.map((t) => t.name).join(', ')})`);
  }
  const reward = await rewardsStore(ctx).create(brandId, `${brandId}.${newId(6)}`, body, ctx.clock.now());
  ctx.log.info({ brandId, rewardId: reward.id, kind: reward.kind, cost: reward.cost, stock: reward.stock, by: user.id }, 'reward created');
  return reward;
}

/** The brand's catalog, active or not (archived rewards left out), for the brand, its staff and admins. */
export async function brandRewards(ctx: AppContext, user: User, brandId: string): Promise<Reward[]> {
  authorizeRead(user, brandId);
  return rewardsStore(ctx).list(brandId);
}

export async function updateReward(ctx: AppContext, user: User, brandId: string, rewardId: string, patch: RewardPatch): Promise<Reward> {
  authorizeManage(user, brandId);
  const store = rewardsStore(ctx);
  if (!(await store.patch(brandId, rewardId, patch))) throw new AppError('not_found', 'no such reward');
  ctx.log.info({ brandId, rewardId, patch, by: user.id }, 'reward changed');
  return (await store.get(brandId, rewardId))!;
}

export async function archiveReward(ctx: AppContext, user: User, brandId: string, rewardId: string): Promise<void> {
  authorizeManage(user, brandId);
  if (!(await rewardsStore(ctx).archive(brandId, rewardId))) throw new AppError('not_found', 'no such reward');
  ctx.log.info({ brandId, rewardId, by: user.id }, 'reward archived');
}

/** What a viewer is offered: the brand's active rewards, cheapest first (sold-out ones too, with stock 0). */
export async function offeredRewards(ctx: AppContext, brandId: string): Promise<Reward[]> {
  const rewards = await rewardsStore(ctx).list(brandId);
  return rewards.filter((r) => r.active).sort((a, b) => a.cost - b.cost || a.createdAt - b.createdAt);
}

/**
 * Redeems a reward for the viewer's points: one script checks the reward, the tier, the viewer's limit, the
 * stock and the balance together and charges the soonest-expiring points first (points-redeem-12.lua). A
 * coupon's code is made here and handed out only if the script commits. Idempotent per opId.
 */
export async function redeemReward(
  ctx: AppContext,
  user: User,
  p: RequestPayload<'points:redeem'>,
): Promise<{ redemption: Redemption; balance: PointsBalance }> {
  const brandId = brandOfReward(p.rewardId);
  const now = ctx.clock.now();
  const out = await rewardsStore(ctx).redeem({
    brandId,
    rewardId: p.rewardId,
    viewerId: user.id,
    // per viewer and reward: an opId reused for another reward is another redemption
    opField: p.opId ? `${user.id}|${p.rewardId}|${p.opId}` : '',
    redemptionId: newId(9),
    code: newCouponCode(),
    now,
    tiers: loyaltyTiers(ctx),
  });
  const rec = JSON.parse(out.record) as RedemptionRecord;
  const redemption: Redemption = { id: rec.id, rewardId: rec.rewardId, cost: rec.cost };
  if (rec.code) redemption.code = rec.code;
  if (!out.replay) ctx.log.info({ brandId, rewardId: rec.rewardId, viewerId: user.id, cost: rec.cost, redemptionId: rec.id }, 'reward redeemed');
  const lots = out.lots.map((l) => ({ points: l.points, expiresAt: (l.day + 1) * DAY_MS })).filter((l) => l.expiresAt > now);
  return { redemption, balance: balanceOfLots(ctx, brandId, lots) };
}

/** The viewer's redemptions with the brand, newest first (the viewer's profile). */
export function viewerRedemptions(ctx: AppContext, brandId: string, viewerId: string): Promise<RedemptionRecord[]> {
  return rewardsStore(ctx).viewerRedemptions(brandId, viewerId);
}

/**
 * A raffle ticket (a `raffle` reward) is a guaranteed entry into a lottery of the brand: a viewer the
 * watch-time or chat rule refuses spends one to enter anyway. Spent once per lottery (a retry spends no
 * other); answers whether the viewer had one.
 */
export function useRaffleTicket(ctx: AppContext, brandId: string, viewerId: string, lotteryId: string): Promise<boolean> {
  return rewardsStore(ctx).raffleTicket(brandId, viewerId, lotteryId, ctx.clock.now(), 'use');
}

/** Gives back the ticket spent on a lottery the viewer could not enter after all (it closed meanwhile). */
export function refundRaffleTicket(ctx: AppContext, brandId: string, viewerId: string, lotteryId: string): Promise<boolean> {
  return rewardsStore(ctx).raffleTicket(brandId, viewerId, lotteryId, ctx.clock.now(), 'refund');
}
