import { z } from 'zod';
import { StreamId, userText } from './common.js';

export const LotteryCreate = z
  .object({
    streamId: StreamId,
    prize: userText(200),
    winners: z.number().int().min(1).max(1000),
    durationSec: z.number().int().min(1).max(24 * 3600),
    keyword: userText(50).optional(),
    minWatchSec: z.number().int().min(0).max(24 * 3600).optional(),
    requireChat: z.boolean().optional(),
    /** Exclude viewers who won a prize of this brand in the last N days. */
    excludeRecentWinnersDays: z.number().int().min(1).max(365).optional(),
  })
  .strict();

export const LotteryEnter = z.object({ lotteryId: z.string().min(1).max(64) }).strict();
export const LotteryDraw = z.object({ lotteryId: z.string().min(1).max(64) }).strict();

export interface LotteryPublic {
  id: string;
  streamId: string;
  prize: string;
  winners: number;
  endsAt: number;
  /** sha256(seed) in hex, published at start. */
  commitment: string;
  keyword?: string;
  minWatchSec?: number;
  requireChat?: boolean;
  entrants: number;
}

export interface LotteryDrawn {
  lotteryId: string;
  streamId: string;
  winners: string[];
  /** The revealed seed (hex): sha256(seed) equals the commitment published at start. */
  seed: string;
  entrants: number;
  /** sha256 over the sorted entrant ids, so each entrant can check they were in the draw. */
  entrantsHash: string;
}

export const lotteryRequests = {
  'lottery:create': LotteryCreate,
  'lottery:enter': LotteryEnter,
  'lottery:draw': LotteryDraw,
} as const;

export interface LotteryReplies {
  'lottery:create': { lottery: { id: string; commitment: string; endsAt: number } };
  'lottery:enter': Record<string, never>;
  'lottery:draw': { result: LotteryDrawn };
}

export interface LotteryPushes {
  'lottery:started': (lottery: LotteryPublic) => void;
  'lottery:drawn': (result: LotteryDrawn) => void;
}
