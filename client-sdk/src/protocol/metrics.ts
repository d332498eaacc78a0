import { z } from 'zod';

/**
 * The lists the wire carries and the server computes with, defined once here (the published protocol) and
 * imported by the server's domain: a metric, a segment or a CSV column added here reaches both.
 */

/**
 * What a viewer did in one stream, as counters of the activity ledger. Scoring, the summary, the viewer
 * profile (`recentStreams`) and the CSV read these; the server writes them only through its activity ledger.
 * Append only: stored stickiness histories pack them in this order.
 */
export const ACTIVITY_METRICS = [
  'watchMs',
  'chat',
  'likes',
  'questions',
  'upvotes',
  'quizAnswers',
  'quizCorrect',
  'lotteryEntries',
  'lotteryWins',
  'couponClaims',
  'couponRedemptions',
  'clicks',
  'orders',
  'revenueCents',
  /** New viewers who joined through this viewer's share link and were credited to them (docs/protocol.md). */
  'referrals',
] as const;
export type ActivityMetric = (typeof ACTIVITY_METRICS)[number];

/** The metrics counted as they are (every one but watch time, which the wire shows in seconds). */
export type CountedMetric = Exclude<ActivityMetric, 'watchMs'>;
export const COUNTED_METRICS: readonly CountedMetric[] = ACTIVITY_METRICS.filter((m): m is CountedMetric => m !== 'watchMs');

/** Metrics that count as an interaction for the engagement rate (watching alone does not). */
export const INTERACTION_METRICS = [
  'chat',
  'likes',
  'questions',
  'upvotes',
  'quizAnswers',
  'lotteryEntries',
  'couponClaims',
  'clicks',
] as const satisfies readonly ActivityMetric[];

/** Stickiness segments (docs/scoring.md defines each). */
export const SEGMENTS = ['new', 'casual', 'engaged', 'loyal', 'at-risk', 'dormant'] as const;
export const Segment = z.enum(SEGMENTS);
export type Segment = z.infer<typeof Segment>;

/** Columns of `GET /api/streams/:id/summary.csv`, one row per viewer of the stream, in this order. */
export type SummaryCsvColumn = 'viewerId' | 'returning' | 'firstAt' | 'lastAt' | 'watchSec' | CountedMetric | 'interactions';
export const SUMMARY_CSV_COLUMNS: readonly SummaryCsvColumn[] = ['viewerId', 'returning', 'firstAt', 'lastAt', 'watchSec', ...COUNTED_METRICS, 'interactions'];

/** One non-negative integer per counted metric, for schemas that carry a stream's activity. */
export const countedMetricFields = (): Record<CountedMetric, z.ZodNumber> =>
  Object.fromEntries(COUNTED_METRICS.map((m) => [m, z.number().int().nonnegative()])) as Record<CountedMetric, z.ZodNumber>;
