import { z } from 'zod';
import { Id, StreamId, Timestamp } from './common.js';
import { Segment } from './metrics.js';
import { MechanicsReport } from './mechanics.js';
import { PointsEconomy } from './points.js';

/**
 * The brand report (`GET /api/brands/:brandId/report`): per-stream figures, period figures, cohorts and
 * migrations over the brand's streams that went live in [from, to]. docs/summary.md ("Brand report")
 * defines every figure.
 */

/** `2026-03-01` (a day: its start for `from`, its end for `to`), an ISO 8601 date-time, or epoch milliseconds. */
export const ReportDate = z
  .string()
  .max(40)
  .regex(/^(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?|\d{1,15})$/, 'a date (YYYY-MM-DD), an ISO 8601 date-time with its zone, or epoch milliseconds');

export const REPORT_TABLES = ['streams', 'cohorts', 'migration', 'leaderboard'] as const;

export const ReportQuery = z
  .object({
    from: ReportDate.optional(),
    to: ReportDate.optional(),
    format: z.enum(['json', 'csv']).default('json'),
    /** The CSV table (format=csv only); streams by default. */
    table: z.enum(REPORT_TABLES).default('streams'),
  })
  .strict();
export type ReportQuery = z.infer<typeof ReportQuery>;

const rate = z.number().min(0).nullable();

export const ReportFlag = z.object({
  figure: z.string(),
  value: z.number(),
  /** The brand's median of the figure over its previous (up to 10) streams. */
  median: z.number(),
  /** How far below the median, as a fraction of it (above it, for churnRate). */
  shortfall: z.number(),
});
export type ReportFlag = z.infer<typeof ReportFlag>;

export const ReportStreamFigures = z.object({
  streamId: StreamId,
  title: z.string(),
  startedAt: Timestamp,
  endedAt: Timestamp.nullable(),
  uniqueViewers: z.number().int().nonnegative(),
  avgWatchSec: z.number().nonnegative(),
  engagementRate: rate,
  revenueCents: z.number().int(),
  revenue: z.number(),
  orders: z.number().int().nonnegative(),
  buyers: z.number().int().nonnegative(),
  returningRate: rate,
  previousStreamId: StreamId.nullable(),
  churnRate: rate,
  newBuyers: z.number().int().nonnegative(),
  returningBuyers: z.number().int().nonnegative(),
  uvValue: z.number().nullable(),
  clickThroughRate: rate,
  clickToOrderRate: rate,
  postStreamOrders: z.number().int().nonnegative(),
  postStreamRevenueCents: z.number().int(),
  postStreamRevenue: z.number(),
  flags: z.array(ReportFlag),
});
export type ReportStreamFigures = z.infer<typeof ReportStreamFigures>;

export const ReportPeriod = z.object({
  streams: z.number().int().nonnegative(),
  uniqueViewers: z.number().int().nonnegative(),
  orders: z.number().int().nonnegative(),
  buyers: z.number().int().nonnegative(),
  revenueCents: z.number().int(),
  revenue: z.number(),
  repeatPurchaseRate: rate,
  purchaseFrequency: z.number().nullable(),
  lifetimeValue: z.object({
    /** The period's unique viewers the values are taken over (zeros included). */
    viewers: z.number().int().nonnegative(),
    median: z.number(),
    topDecile: z.number(),
  }),
});
export type ReportPeriod = z.infer<typeof ReportPeriod>;

export const ReportCohort = z.object({
  streamId: StreamId,
  startedAt: Timestamp,
  /** Viewers the brand first saw in this stream. */
  size: z.number().int().nonnegative(),
  /** Each later stream of the period: how many of the cohort were there, and which share. */
  returns: z.array(z.object({ streamId: StreamId, present: z.number().int().nonnegative(), share: rate })),
});
export type ReportCohort = z.infer<typeof ReportCohort>;

export const REPORT_SEGMENTS = [...Segment.options, 'unrated'] as const;
export const BUYER_TIERS = ['never', 'first', 'repeat'] as const;

const Moves = <T extends z.ZodType>(state: T) =>
  z.object({
    fromStreamId: StreamId,
    toStreamId: StreamId,
    /** Non-zero cells only (staying in the same state included). */
    moves: z.array(z.object({ from: state, to: state, viewers: z.number().int().positive() })),
  });

export const ReportMigration = z.object({
  segments: z.array(Moves(z.enum(REPORT_SEGMENTS))),
  buyerTiers: z.array(Moves(z.enum(BUYER_TIERS))),
});
export type ReportMigration = z.infer<typeof ReportMigration>;

/** What each mechanic is worth over the report's streams (docs/summary.md, "What each mechanic is worth"). */
export const ReportMechanics = MechanicsReport;

export const BrandReport = z.object({
  brandId: Id,
  from: Timestamp,
  to: Timestamp,
  /** Days after a stream's end its post-stream orders are looked for (REPORT_POST_STREAM_DAYS). */
  postStreamDays: z.number().positive(),
  streams: z.array(ReportStreamFigures),
  period: ReportPeriod,
  cohorts: z.array(ReportCohort),
  migration: ReportMigration,
  mechanics: ReportMechanics,
  /** The points economy over the period (at most its last 366 days): docs/summary.md, "Points economy". */
  pointsEconomy: PointsEconomy,
});
export type BrandReport = z.infer<typeof BrandReport>;
