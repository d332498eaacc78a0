import { z } from 'zod';
import { Id, StreamId, Timestamp } from './common.js';
import { countedMetricFields, Segment } from './metrics.js';
import { RedemptionRecord } from './points.js';

/**
 * Stickiness over HTTP (brand tokens): the leaderboard of a brand's viewers and one viewer's profile.
 * docs/scoring.md defines the score and the segments (SEGMENTS, in metrics.ts).
 */

/** `GET /api/brands/:brandId/viewers` query. */
export const LeaderboardQuery = z
  .object({
    segment: Segment.optional(),
    /** Opaque; the `nextCursor` of the previous page. */
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const ScoredViewer = z.object({
  viewerId: Id,
  /** 0-100 now: the score as of the viewer's latest stream, halved every half-life since. */
  score: z.number().min(0).max(100),
  segment: Segment,
  /** Start of the viewer's latest stream of the brand. */
  lastStreamAt: Timestamp,
  streams: z.number().int().nonnegative(),
  /** Attributed revenue to date with the brand, in currency units like the summary's `revenue` (amounts in different currencies added as sent). */
  lifetimeValue: z.number().nonnegative(),
});
export type ScoredViewer = z.infer<typeof ScoredViewer>;

export const LeaderboardPage = z.object({
  brandId: Id,
  segment: Segment.nullable(),
  viewers: z.array(ScoredViewer),
  /** Pass as `cursor` for the next page; null when there is none. */
  nextCursor: z.string().nullable(),
});
export type LeaderboardPage = z.infer<typeof LeaderboardPage>;

export const StreamEngagementRow = z.object({
  streamId: StreamId,
  title: z.string().nullable(),
  startedAt: Timestamp,
  watchSec: z.number().int().nonnegative(),
  ...countedMetricFields(),
  /** Engagement points the stream earned before decay (docs/scoring.md). */
  engagementPoints: z.number().nonnegative(),
});

/** `GET /api/brands/:brandId/viewers/:viewerId` answer. */
export const ViewerProfile = ScoredViewer.extend({
  brandId: Id,
  /** The score as of the viewer's latest stream, before decay since then, and the points behind it. */
  scoreAtLastStream: z.number().min(0).max(100),
  engagementPoints: z.number().nonnegative(),
  totals: z.object({ watchSec: z.number().int(), orders: z.number().int(), revenueCents: z.number().int(), buyerStreams: z.number().int() }),
  /** Loyalty points with the brand (balance, tier, what expires next). */
  points: z.object({
    brandId: Id,
    balance: z.number(),
    tier: z.string(),
    nextTier: z.object({ name: z.string(), at: z.number() }).optional(),
    expiring: z.object({ points: z.number(), at: Timestamp }).optional(),
  }),
  /** Points rewards the viewer redeemed with the brand, newest first (at most 50). */
  redemptions: z.array(RedemptionRecord),
  /** Most recent streams first (at most 20). */
  recentStreams: z.array(StreamEngagementRow),
});
export type ViewerProfile = z.infer<typeof ViewerProfile>;
