import { z } from 'zod';
import { AudienceSchema } from './audience.js';
import { Id, StreamId, Timestamp } from './common.js';
import { StreamStatus } from './streams.js';

/**
 * The post-stream summary a brand team reads (`GET /api/streams/:id/summary`). Every figure is defined in
 * docs/summary.md: what counts and what it is deduplicated by. Rates are fractions 0..1 rounded to 4
 * decimals, `null` when their denominator is 0.
 */
const Count = z.number().int().nonnegative();
const Rate = z.number().nonnegative().nullable();
const Seconds = z.number().nonnegative();

/** `GET /api/streams/:id/summary` and `.csv` path parameters. */
export const SummaryParams = { id: StreamId };

export const TimelinePoint = z.object({
  /** Epoch minute, floor(ms / 60000). */
  minute: z.number().int(),
  at: Timestamp,
  /** Distinct viewers seen (join or heartbeat) in that minute. */
  viewers: Count,
  chat: Count,
  likes: Count,
  claims: Count,
  orders: Count,
});
export type TimelinePoint = z.infer<typeof TimelinePoint>;

export const SummaryMoment = z.object({
  at: Timestamp,
  minute: z.number().int(),
  kind: z.enum(['quiz', 'lottery', 'drop', 'product', 'stream', 'poll']),
  id: z.string(),
  label: z.string(),
});
export type SummaryMoment = z.infer<typeof SummaryMoment>;

export const LotteryOutcome = z.object({
  lotteryId: z.string(),
  prize: z.string().nullable(),
  entrants: Count,
  /** How many winners the lottery promised. */
  winnerCount: Count,
  winners: z.array(Id),
  /** Revealed seed (hex), `null` until drawn; sha256(seed) equals the commitment published at start. */
  seed: z.string().nullable(),
  commitment: z.string().nullable(),
  /** With the entrant list of `GET /api/lotteries/:id/entrants`, the SDK's `verifyDraw` checks the draw. */
  entrantsHash: z.string().nullable(),
});
export type LotteryOutcome = z.infer<typeof LotteryOutcome>;

export const SegmentMix = z.record(z.string(), Count);
export type SegmentMix = z.infer<typeof SegmentMix>;

export const TopViewer = z.object({
  viewerId: Id,
  /** Interactions in this stream other than likes (chat, questions, upvotes, quiz answers, entries, claims, clicks). */
  interactions: Count,
  likes: Count,
  watchSec: Seconds,
  orders: Count,
  revenueCents: Count,
  /** Stickiness score 0-100 and segment for the brand at the stream's end (now while live), this stream included. */
  score: z.number().nullable(),
  segment: z.string().nullable(),
});
export type TopViewer = z.infer<typeof TopViewer>;

/** Q&A quality: see docs/summary.md, "Q&A quality". */
export const QaQuality = z.object({
  questions: Count,
  answered: Count,
  unanswered: Count,
  /** unanswered / questions. */
  unansweredRate: Rate,
  /** Seconds from asking to `qa:answered`, over answered questions, nearest rank; null with none answered. */
  answerLatencyP50Sec: Seconds.nullable(),
  answerLatencyP90Sec: Seconds.nullable(),
  askers: Count,
  /** Askers who asked at least one question while a product was pinned. */
  askersWithPinned: Count,
  /** Of those, who then clicked the product pinned when they asked. */
  askersWhoClickedPinned: Count,
  /** Of those clickers, who then placed an order attributed to the stream (at or after that click). */
  askersWhoBoughtPinned: Count,
});
export type QaQuality = z.infer<typeof QaQuality>;

export const PollOutcome = z.object({
  pollId: z.string(),
  question: z.string(),
  options: z.array(z.string()),
  counts: z.array(Count),
  votes: Count,
  status: z.enum(['open', 'closed']),
  closedAt: Timestamp.nullable(),
  /** Set on a targeted poll: the audience it was for (only those viewers could vote). */
  audience: AudienceSchema.optional(),
});
export type PollOutcome = z.infer<typeof PollOutcome>;

/** The post-stream survey, read from its keys whenever the summary is served (answers arrive after the end). */
export const SurveyFigures = z.object({
  question: z.string(),
  minWatchMin: z.number().nonnegative(),
  closesAt: Timestamp,
  /** Still taking answers (server clock before closesAt). */
  open: z.boolean(),
  /** Viewers who watched at least minWatchMin. */
  eligible: Count,
  responses: Count,
  /** responses / eligible. */
  responseRate: Rate,
  /** Scores 9–10. */
  promoters: Count,
  /** Scores 7–8. */
  passives: Count,
  /** Scores 0–6. */
  detractors: Count,
  /** 100 × (promoters − detractors) / responses, rounded to an integer (halves away from zero); null with no responses. */
  nps: z.number().int().nullable(),
});
export type SurveyFigures = z.infer<typeof SurveyFigures>;
/** A viewer whose share link brought new viewers (docs/protocol.md, Referrals). */
export const TopReferrer = z.object({ viewerId: Id, referred: Count });
export type TopReferrer = z.infer<typeof TopReferrer>;

export const StreamSummary = z.object({
  streamId: StreamId,
  brandId: Id,
  title: z.string(),
  status: StreamStatus,
  /** True once the worker stored the final summary; false for a live (partial) read. */
  final: z.boolean(),
  computedAt: Timestamp,
  startedAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  durationSec: Count,

  uniqueViewers: Count,
  peakConcurrent: Count,
  peakAt: Timestamp.nullable(),
  totalWatchSec: Seconds,
  avgWatchSec: Seconds,
  medianWatchSec: Seconds,
  newViewers: Count,
  returningViewers: Count,
  previousStreamId: StreamId.nullable(),
  previousStreamViewers: Count,
  churnedViewers: Count,
  churnRate: Rate,

  chatMessages: Count,
  chatters: Count,
  likes: Count,
  likers: Count,
  questions: Count,
  askers: Count,
  upvotes: Count,
  /** Absent in summaries stored before these figures existed. */
  qa: QaQuality.optional(),

  quizzes: Count,
  quizAnswers: Count,
  quizParticipants: Count,
  quizParticipation: Rate,
  quizCorrect: Count,
  quizAccuracy: Rate,

  /** The stream's polls in the order they started (absent in summaries stored before polls existed). */
  polls: z.array(PollOutcome).optional(),

  lotteries: z.array(LotteryOutcome),
  lotteryEntries: Count,
  lotteryEntrants: Count,
  lotteryWinners: Count,

  couponDrops: Count,
  couponClaims: Count,
  couponClaimers: Count,
  couponRedemptions: Count,
  redemptionRate: Rate,

  /** Points rewards redeemed with the stream's brand by the stream's viewers while it was live (docs/summary.md). */
  redemptions: Count,
  /** The points those redemptions spent. */
  pointsRedeemed: Count,

  productPins: Count,
  productClicks: Count,
  clickers: Count,

  orders: Count,
  buyers: Count,
  revenueCents: Count,
  /** revenueCents / 100. Amounts are summed as sent; with orders in several currencies read revenueByCurrency. */
  revenue: z.number().nonnegative(),
  /** Attributed revenue in cents per ISO 4217 currency, from the counted orders themselves. */
  revenueByCurrency: z.record(z.string(), Count),
  conversionRate: Rate,
  repeatBuyers: Count,
  returningBuyers: Count,

  engagedViewers: Count,
  engagementRate: Rate,

  /** New viewers of the brand who joined this stream through a share link and were credited to its owner. */
  referredViewers: Count.default(0),
  /** The viewers whose links brought the most of them into this stream (at most 10, most first). */
  topReferrers: z.array(TopReferrer).default([]),

  timeline: z.array(TimelinePoint),
  moments: z.array(SummaryMoment),
  /**
   * Stickiness segments of this stream's viewers when it started and at its end (now while live), with the
   * change per segment; `unrated` counts viewers with no history with the brand.
   */
  segments: z.object({ before: SegmentMix, after: SegmentMix, change: z.record(z.string(), z.number().int()) }),
  topViewers: z.array(TopViewer),
  /** The post-stream survey (null: none yet, or turned off); read afresh whenever the summary is served. */
  survey: SurveyFigures.nullable().optional(),
});
export type StreamSummary = z.infer<typeof StreamSummary>;
