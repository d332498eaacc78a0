import type { LotteryOutcome, PollOutcome, QaQuality, Segment, SurveyFigures } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { LotteryStore } from '../lottery/lottery.store.js';
import { streamOrderKeys } from '../orders/orders.keys.js';
import type { OrderAttribution } from '../orders/orders.store.js';
import { scanHash } from '../redis/replies.js';
import { qaKeys } from '../qa/qa.keys.js';
import { PollStore } from '../polls/polls.store.js';
import { surveyStore } from '../survey/survey.store.js';
import { npsOf } from '../survey/survey.nps.js';
import { ReferralStore } from '../referrals/referrals.store.js';

/**
 * What the summary reads from other features' stores (lottery draws, stickiness histories), in one
 * place so their signatures are adapted here only.
 */

/** Draw results of the stream's lotteries (ids from its moments), with the seed for verification. */
export async function lotteryOutcomes(ctx: AppContext, streamId: string, lotteryIds: readonly string[]): Promise<LotteryOutcome[]> {
  const store = new LotteryStore(ctx.redis, ctx.keys);
  const records = await Promise.all(lotteryIds.map((id) => store.get(streamId, id)));
  return lotteryIds.map((lotteryId, i) => {
    const l = records[i];
    const drawn = l?.result;
    return {
      lotteryId,
      prize: l?.prize ?? null,
      entrants: drawn?.entrants ?? l?.entrants ?? 0,
      winnerCount: l?.winners ?? 0,
      winners: drawn?.winners ?? [],
      seed: drawn?.seed ?? null,
      commitment: l?.commitment ?? null,
      entrantsHash: drawn?.entrantsHash ?? null,
    };
  });
}

/**
 * Attributed revenue per currency, from the stream's counted orders (each order once, by its id). Read-only
 * walk of the orders feature's per-stream hash, in pages; orders still being counted (`pending:`) are skipped.
 */
export async function revenueByCurrency(ctx: AppContext, streamId: string): Promise<Record<string, number>> {
  const key = streamOrderKeys(ctx.keys, streamId).orders;
  const out: Record<string, number> = {};
  for await (const [, raw] of scanHash(ctx.redis, key)) {
    if (raw.startsWith('pending:')) continue;
    const o = JSON.parse(raw) as Pick<OrderAttribution, 'amountCents' | 'currency'>;
    out[o.currency] = (out[o.currency] ?? 0) + o.amountCents;
  }
  return out;
}

/** How many new viewers the stream's share links brought, and its best referrers (at most 10). */
export function streamReferrals(ctx: AppContext, streamId: string): Promise<{ referred: number; topReferrers: { viewerId: string; referred: number }[] }> {
  return new ReferralStore(ctx.redis, ctx.keys).streamReferrals(streamId, 10);
}

/** A viewer's stickiness around this stream. */
export interface Standing {
  /** Segment when the stream started (null: no earlier stream of the brand). */
  before: Segment | null;
  /** Segment and score at the stream's end (now while live), counting this stream's activity. */
  after: Segment | null;
  score: number | null;
}

/** Questions read per round trip. */
const QA_PAGE = 500;
const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const ratio = (n: number, d: number): number | null => (d === 0 ? null : round4(n / d));

/** The value at quantile `q` of sorted values, nearest rank (the smallest value with at least q of them at or below it). */
function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Q&A quality (docs/summary.md, "Q&A quality"): every question of the stream (its by-time list), whether and
 * how fast it was answered, and whether its asker went on to click, then order, the product pinned when they
 * asked. `latestOrderAt`: each viewer's latest order attributed to the stream (ms).
 */
export async function qaQuality(ctx: AppContext, streamId: string, latestOrderAt: ReadonlyMap<string, number>): Promise<QaQuality> {
  const k = qaKeys(ctx.keys, streamId);
  const ids = await ctx.redis.zrange(k.asked, 0, -1);
  const latencies: number[] = [];
  const askers = new Set<string>();
  const pinnedAskers = new Set<string>();
  let answered = 0;
  for (let i = 0; i < ids.length; i += QA_PAGE) {
    const pipe = ctx.redis.pipeline();
    for (const id of ids.slice(i, i + QA_PAGE)) pipe.hmget(k.question(id), 'userId', 'status', 'at', 'answeredAt', 'pinnedProductId');
    for (const [err, row] of (await pipe.exec()) ?? []) {
      if (err) throw err;
      const [userId, status, at, answeredAt, pinned] = row as (string | null)[];
      if (!userId) continue;
      askers.add(userId);
      if (pinned) pinnedAskers.add(userId);
      if (status === 'answered') {
        answered++;
        latencies.push(Math.max(0, Number(answeredAt) - Number(at)) / 1000);
      }
    }
  }
  latencies.sort((a, b) => a - b);
  const clicked = await ctx.redis.zrange(k.clickedPinned, 0, -1, 'WITHSCORES');
  let clickers = 0;
  let buyers = 0;
  for (let i = 0; i < clicked.length; i += 2) {
    clickers++;
    const ordered = latestOrderAt.get(clicked[i]!);
    if (ordered !== undefined && ordered >= Number(clicked[i + 1])) buyers++;
  }
  const questions = ids.length;
  return {
    questions,
    answered,
    unanswered: questions - answered,
    unansweredRate: ratio(questions - answered, questions),
    answerLatencyP50Sec: nearestRank(latencies, 0.5),
    answerLatencyP90Sec: nearestRank(latencies, 0.9),
    askers: askers.size,
    askersWithPinned: pinnedAskers.size,
    askersWhoClickedPinned: clickers,
    askersWhoBoughtPinned: buyers,
  };
}

/** Each viewer's latest order attributed to the stream (ms), from its counted orders. */
export async function latestOrders(ctx: AppContext, streamId: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const [, raw] of scanHash(ctx.redis, streamOrderKeys(ctx.keys, streamId).orders)) {
    if (raw.startsWith('pending:')) continue;
    const o = JSON.parse(raw) as Pick<OrderAttribution, 'viewerId' | 'at'>;
    if (o.at > (out.get(o.viewerId) ?? -1)) out.set(o.viewerId, o.at);
  }
  return out;
}

/** The stream's polls (ids from its moments), with their final counts (running counts while one is open). */
export async function pollOutcomes(ctx: AppContext, streamId: string, pollIds: readonly string[]): Promise<PollOutcome[]> {
  const polls = await new PollStore(ctx.redis, ctx.keys).summaries(streamId, pollIds);
  return polls.map((p) => ({
    pollId: p.pollId,
    question: p.question,
    options: p.options,
    counts: p.counts,
    votes: p.votes,
    status: p.status,
    closedAt: p.status === 'closed' ? p.closedAt : null,
    ...(p.audience ? { audience: p.audience } : {}),
  }));
}

/**
 * The post-stream survey's figures, read from its keys (answers keep coming after the final summary is
 * stored: the served summary reads this block afresh each time). `eligible`: viewers of the stream who
 * watched at least the survey's minimum, counted over the summary's population. Null: no survey (the
 * stream has not ended, or its survey was turned off).
 */
export async function surveyFigures(
  ctx: AppContext,
  streamId: string,
  countEligible: (minWatchMs: number) => number | Promise<number>,
): Promise<SurveyFigures | null> {
  const store = surveyStore(ctx);
  const survey = await store.opened(streamId);
  if (!survey) return null;
  const eligible = await countEligible(survey.minWatchMs);
  const n = npsOf(await store.tally(streamId));
  return {
    question: survey.question,
    minWatchMin: survey.minWatchMs / 60_000,
    closesAt: survey.closesAt,
    open: ctx.clock.now() < survey.closesAt,
    eligible,
    responses: n.responses,
    responseRate: ratio(n.responses, eligible),
    promoters: n.promoters,
    passives: n.passives,
    detractors: n.detractors,
    nps: n.nps,
  };
}
