import { z } from 'zod';
import { Id, Timestamp } from './common.js';

/** A reward's id: `<brandId>.<random>` (the brand's slot is read from it, as a stream's from a ScopedId). */
export const RewardId = z
  .string()
  .max(80)
  .regex(/^[A-Za-z0-9_.:-]+\.[A-Za-z0-9_-]+$/, 'not a reward id this server gave out (<brandId>.<random>)');

export const PointsGet = z.object({ brandId: Id }).strict();

/** A viewer's loyalty points with one brand (`points:get` ack; also part of the brand's viewer profile). */
export const PointsBalance = z.object({
  brandId: Id,
  /** Points not expired yet. */
  balance: z.number().int().nonnegative(),
  /** The highest tier of POINTS_TIERS whose threshold the balance reaches. */
  tier: z.string(),
  /** The next tier up and the balance it needs; absent at the top tier. */
  nextTier: z.object({ name: z.string(), at: z.number().int() }).optional(),
  /** The points that expire soonest and when (the end of a UTC day); absent with no points. */
  expiring: z.object({ points: z.number().int(), at: Timestamp }).optional(),
});
export type PointsBalance = z.infer<typeof PointsBalance>;

/** What a reward hands out: a unique coupon code, a gift from a limited stock, or a ticket for the brand's next lottery. */
export const REWARD_KINDS = ['coupon', 'gift', 'raffle'] as const;
export const RewardKind = z.enum(REWARD_KINDS);
export type RewardKind = z.infer<typeof RewardKind>;

/** `POST /api/brands/:brandId/rewards`: a reward of the brand's catalog, priced in points. */
export const RewardCreate = z
  .object({
    title: z.string().trim().min(1).max(120),
    kind: RewardKind,
    /** Price in points. */
    cost: z.number().int().min(1).max(100_000_000),
    /** Units that can be redeemed in all. */
    stock: z.number().int().min(0).max(1_000_000),
    /** Redemptions one viewer may make (absent: no limit but the stock). */
    perViewer: z.number().int().min(1).max(1_000_000).optional(),
    /** A loyalty tier (a name of POINTS_TIERS) the viewer's balance must reach. */
    minTier: z.string().min(1).max(40).optional(),
  })
  .strict();
export type RewardCreate = z.infer<typeof RewardCreate>;

/** `PATCH /api/brands/:brandId/rewards/:rewardId`: deactivate (or reactivate), restock, rename, reprice. */
export const RewardPatch = z
  .object({
    active: z.boolean().optional(),
    stock: z.number().int().min(0).max(1_000_000).optional(),
    title: z.string().trim().min(1).max(120).optional(),
    cost: z.number().int().min(1).max(100_000_000).optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });
export type RewardPatch = z.infer<typeof RewardPatch>;

/** A reward of a brand's catalog. `id` is `<brandId>.<random>`. */
export const Reward = z.object({
  id: RewardId,
  brandId: Id,
  title: z.string(),
  kind: RewardKind,
  cost: z.number().int(),
  /** Units left. */
  stock: z.number().int().nonnegative(),
  /** Units redeemed so far. */
  redeemed: z.number().int().nonnegative(),
  perViewer: z.number().int().optional(),
  minTier: z.string().optional(),
  /** Inactive rewards are not offered to viewers and cannot be redeemed; they stay in the brand's list. */
  active: z.boolean(),
  createdAt: Timestamp,
});
export type Reward = z.infer<typeof Reward>;

export const RewardList = z.object({ rewards: z.array(Reward) });

/** One redemption: what was spent and, for a coupon, the code; for a raffle, the ticket is the redemption. */
export const Redemption = z.object({
  id: z.string(),
  rewardId: RewardId,
  cost: z.number().int(),
  code: z.string().optional(),
});
export type Redemption = z.infer<typeof Redemption>;

/** A redemption as the brand and the viewer's profile see it. */
export const RedemptionRecord = Redemption.extend({
  viewerId: Id,
  kind: RewardKind,
  title: z.string(),
  at: Timestamp,
});
export type RedemptionRecord = z.infer<typeof RedemptionRecord>;

export const PointsRewards = z.object({ brandId: Id }).strict();
export const PointsRedeem = z
  .object({
    rewardId: RewardId,
    /** Makes the redemption idempotent: the same opId answers the same redemption, charged once. */
    opId: z.string().min(1).max(64).optional(),
  })
  .strict();

/** `GET /api/brands/:brandId/points/economy?from=&to=` (ms since the epoch; default: the last 30 days). */
export const PointsEconomyQuery = z
  .object({
    from: z.coerce.number().int().nonnegative().optional(),
    to: z.coerce.number().int().nonnegative().optional(),
  })
  .strict();

/** The brand's points economy over [from, to): see docs/summary.md (Points economy). */
export const PointsEconomy = z.object({
  brandId: Id,
  from: Timestamp,
  to: Timestamp,
  /** Points credited, spent on rewards, and left to expire, per UTC day of the period. */
  days: z.array(z.object({ day: z.string(), issued: z.number().int(), redeemed: z.number().int(), expired: z.number().int() })),
  totals: z.object({ issued: z.number().int(), redeemed: z.number().int(), expired: z.number().int(), redemptions: z.number().int() }),
  /** Points held by viewers now and not expired: what the brand still owes. */
  outstanding: z.number().int(),
  /** Redeemers of the period against holders who never redeemed: share who watched a brand stream afterwards. */
  retention: z.object({
    redeemers: z.object({ viewers: z.number().int(), returned: z.number().int(), rate: z.number() }),
    holders: z.object({ viewers: z.number().int(), returned: z.number().int(), rate: z.number() }),
  }),
});
export type PointsEconomy = z.infer<typeof PointsEconomy>;

export const pointsRequests = {
  'points:get': PointsGet,
  'points:rewards': PointsRewards,
  'points:redeem': PointsRedeem,
} as const;

export interface PointsReplies {
  'points:get': PointsBalance;
  /** Active rewards of the brand, cheapest first. */
  'points:rewards': { rewards: Reward[] };
  'points:redeem': { redemption: Redemption; balance: PointsBalance };
}

export interface PointsPushes {
  /** Private to one viewer: points, a coupon code, or a lottery prize. */
  'reward:granted': (e: {
    streamId: string;
    source: 'quiz' | 'question' | 'lottery' | 'watch' | 'order' | 'poll';
    sourceId?: string;
    points?: number;
    coupon?: { code: string; title: string };
    prize?: string;
    /** Set when delivered from the outbox (at least once): the same id on every delivery. */
    announcementId?: string;
  }) => void;
  'moderation:notice': (e: { streamId: string; action: 'mute' | 'ban' | 'unban' | 'delete'; until?: number; reason?: string }) => void;
}
