import { z } from 'zod';
import { Id, ScopedId, StreamId, type Announced } from './common.js';
import { userText } from './text.js';
import { NONCE_PATTERN } from './fairness.js';
import { AudienceSchema, type Audience } from './audience.js';

export { lotteryDrawnAnnouncementId } from './constants.js';

/** `<streamId>.<random>` (common.ts ScopedId). */
export const LotteryId = ScopedId;

export const LotteryCreate = z
  .object({
    streamId: StreamId,
    prize: userText(200),
    winners: z.number().int().min(1).max(1000),
    durationSec: z.number().int().min(1).max(24 * 3600),
    /** Entry by sending this word in chat (case-insensitive, trimmed). The entry button is then refused. */
    keyword: userText(50).optional(),
    minWatchSec: z.number().int().min(0).max(24 * 3600).optional(),
    requireChat: z.boolean().optional(),
    /** Exclude viewers who won a prize of this brand in the last N days. */
    excludeRecentWinnersDays: z.number().int().min(1).max(365).optional(),
    /** Only these viewers see and may enter the lottery (docs/protocol.md, Targeting). */
    audience: AudienceSchema.optional(),
  })
  .strict();

export const LotteryEnter = z
  .object({
    lotteryId: LotteryId,
    /**
     * Entropy from the viewer's client (8–32 random bytes, lower-case hex), mixed into the draw so that
     * knowing the seed alone does not tell the winners. The SDK sends one by default.
     */
    nonce: z.string().regex(NONCE_PATTERN, 'nonce: 16-64 lower-case hex digits').optional(),
  })
  .strict();
export const LotteryDraw = z.object({ lotteryId: LotteryId }).strict();

export type LotteryStatus = 'open' | 'closed' | 'drawn';

export interface LotteryDrawn {
  lotteryId: string;
  streamId: string;
  /** Winner viewer ids in draw order (all entrants when there were fewer entrants than prizes). */
  winners: string[];
  /** How many winners the lottery promised. */
  winnerCount: number;
  /** The revealed seed (hex): sha256(seed) equals the commitment published at start. */
  seed: string;
  /** The commitment published at start, repeated for convenience (verify against the one you saw then). */
  commitment: string;
  /** How many entrants were in the frozen list. */
  entrants: number;
  /** sha256 over the sorted entrant lines, so each entrant can check they were in the draw. */
  entrantsHash: string;
  drawnAt: number;
}

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
  excludeRecentWinnersDays?: number;
  /** Set on a targeted lottery: only viewers of this audience are shown it. */
  audience?: Audience;
  /** Entries so far (frozen once closed). */
  entrants: number;
  status: LotteryStatus;
  /** In the join ack of a viewer: whether this viewer is already in. */
  entered?: boolean;
  /** Once drawn: the result (a late joiner sees who won). */
  result?: LotteryDrawn;
}

/** Everything needed to run `verifyDraw`, served by `GET /api/lotteries/:id/entrants` after the draw. */
export const LotteryDrawRecord = z.object({
  lotteryId: z.string(),
  streamId: z.string(),
  commitment: z.string(),
  seed: z.string(),
  winnerCount: z.number().int(),
  winners: z.array(z.string()),
  entrantsHash: z.string(),
  /** Entrant ids, sorted. */
  entrants: z.array(Id),
  /** The same entrants with the nonce each supplied (sorted by id): the input of the entrants hash. */
  entries: z.array(z.object({ id: Id, nonce: z.string().optional() })),
  drawnAt: z.number().int(),
});
export type LotteryDrawRecord = z.infer<typeof LotteryDrawRecord>;

export const lotteryRequests = {
  'lottery:create': LotteryCreate,
  'lottery:enter': LotteryEnter,
  'lottery:draw': LotteryDraw,
} as const;

export interface LotteryReplies {
  'lottery:create': { lottery: { id: string; commitment: string; endsAt: number } };
  /** `nonce` echoes the entropy recorded for you: find the line `<your id> <nonce>` in the entrant list. */
  'lottery:enter': { nonce?: string };
  'lottery:draw': { result: LotteryDrawn };
}

export interface LotteryPushes {
  'lottery:started': (lottery: LotteryPublic) => void;
  'lottery:drawn': (result: LotteryDrawn & Announced) => void;
  /** To the entrant only (every tab): you are in. The one confirmation a keyword entry gets. */
  'lottery:entered': (e: { lotteryId: string; streamId: string; via: 'button' | 'chat'; nonce?: string }) => void;
  /** To the stream's staff only, while entries are open: the entrant count, at most twice a second per node. */
  'lottery:entrants': (e: { lotteryId: string; streamId: string; entrants: number }) => void;
}
