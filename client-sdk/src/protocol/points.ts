import { z } from 'zod';
import { Id } from './common.js';

export const PointsGet = z.object({ brandId: Id }).strict();

export interface PointsBalance {
  brandId: string;
  balance: number;
  tier: string;
  nextTier?: { name: string; at: number };
  expiring?: { points: number; at: number };
}

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
    source: 'quiz' | 'question' | 'lottery' | 'watch' | 'order';
    sourceId?: string;
    points?: number;
    coupon?: { code: string; title: string };
    prize?: string;
  }) => void;
  'moderation:notice': (e: { streamId: string; action: 'mute' | 'ban' | 'unban' | 'delete'; until?: number; reason?: string }) => void;
}
