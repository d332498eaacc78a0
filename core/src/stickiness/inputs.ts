import type { ActivityMetric } from '@stickyroom/sdk/protocol';

/**
 * What a viewer did in one stream of a brand, as absolute counters (never increments): one entry of the
 * viewer's per-brand history. `startedAt` is the stream's start (its creation when it never went live).
 */
export type StreamEngagement = { streamId: string; startedAt: number } & Record<ActivityMetric, number>;

/** The inputs of the formula that carry a weight; each is documented in docs/scoring.md. */
export const SCORE_INPUTS = [
  'watch',
  'chat',
  'likes',
  'questions',
  'upvotes',
  'quizAnswers',
  'quizCorrect',
  'lotteryEntries',
  'couponClaims',
  'clicks',
  'orders',
  'revenue',
  'referrals',
  'attendance',
  'buyerStreams',
] as const;
export type ScoreInput = (typeof SCORE_INPUTS)[number];

/** Inputs counted per stream with diminishing returns: points = weight * log2(1 + amount / unit). */
export const PER_STREAM_INPUTS: Record<Exclude<ScoreInput, 'attendance' | 'buyerStreams'>, { metric: ActivityMetric; unit: number }> = {
  watch: { metric: 'watchMs', unit: 10 * 60_000 },
  chat: { metric: 'chat', unit: 3 },
  likes: { metric: 'likes', unit: 20 },
  questions: { metric: 'questions', unit: 1 },
  upvotes: { metric: 'upvotes', unit: 3 },
  quizAnswers: { metric: 'quizAnswers', unit: 1 },
  quizCorrect: { metric: 'quizCorrect', unit: 1 },
  lotteryEntries: { metric: 'lotteryEntries', unit: 1 },
  couponClaims: { metric: 'couponClaims', unit: 1 },
  clicks: { metric: 'clicks', unit: 2 },
  orders: { metric: 'orders', unit: 1 },
  revenue: { metric: 'revenueCents', unit: 5_000 },
  referrals: { metric: 'referrals', unit: 1 },
};

/** Points per unit of each input (see docs/scoring.md for why these defaults). */
export const DEFAULT_WEIGHTS: Record<ScoreInput, number> = {
  watch: 20,
  chat: 8,
  likes: 2,
  questions: 8,
  upvotes: 3,
  quizAnswers: 6,
  quizCorrect: 6,
  lotteryEntries: 4,
  couponClaims: 8,
  clicks: 6,
  orders: 40,
  revenue: 20,
  referrals: 12,
  attendance: 15,
  buyerStreams: 20,
};
