/**
 * What a viewer did in one stream, as counters in their activity hash. Scoring and the summary read
 * these; features write them only through `recordActivity`.
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
] as const;

export type ActivityMetric = (typeof ACTIVITY_METRICS)[number];

/** Metrics that count as an interaction for the engagement rate (watching alone does not). */
export const INTERACTION_METRICS: readonly ActivityMetric[] = [
  'chat',
  'likes',
  'questions',
  'upvotes',
  'quizAnswers',
  'lotteryEntries',
  'couponClaims',
  'clicks',
];

export type ViewerActivity = Partial<Record<ActivityMetric, number>> & { firstAt?: number; lastAt?: number };

export function parseViewerActivity(h: Record<string, string>): ViewerActivity {
  const out: ViewerActivity = {};
  for (const [k, v] of Object.entries(h)) {
    const n = Number(v);
    if (Number.isFinite(n)) (out as Record<string, number>)[k] = n;
  }
  return out;
}
