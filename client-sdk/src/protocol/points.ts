import { z } from 'zod';
import { Id, Timestamp } from './common.js';

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

export const pointsRequests = {
  'points:get': PointsGet,
} as const;

export interface PointsReplies {
  'points:get': PointsBalance;
}

export interface PointsPushes {
  /** Private to one viewer: points, a coupon code, or a lottery prize. */
  'reward:granted': (e: {
    streamId: string;
    source: 'quiz' | 'question' | 'lottery' | 'watch' | 'order' | 'referral';
    sourceId?: string;
    points?: number;
    coupon?: { code: string; title: string };
    prize?: string;
    /** Set when delivered from the outbox (at least once): the same id on every delivery. */
    announcementId?: string;
  }) => void;
  'moderation:notice': (e: { streamId: string; action: 'mute' | 'ban' | 'unban' | 'delete'; until?: number; reason?: string }) => void;
}
