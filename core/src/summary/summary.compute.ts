import type { StreamSummary, SummaryMoment, TimelinePoint, TopViewer } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { readMoments, streamTotals } from '../activity/activity.store.js';
import { presenceSummary } from '../presence/presence.store.js';
import { streamStore } from '../streams/streams.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { ACTIVITY_METRICS, SEGMENTS } from '@stickyroom/sdk/protocol';
import { latestOrders, lotteryOutcomes, pollOutcomes, qaQuality, revenueByCurrency, streamReferrals, surveyFigures, type Standing } from './summary.sources.js';
import { randomUUID } from 'node:crypto';
import { earlierStreams, indexEarlierStreams, interactionsOf, isEngaged, metric, streamStart, summaryStore, type ViewerRow } from './summary.viewers.js';
import { Audience, previousPopulation, updateAudience } from './summary.audience.js';
import { round2, scoringStore } from '../scoring/scoring.store.js';
import { scoringKeys } from '../scoring/scoring.keys.js';
import { scoreAt, segmentAt } from '../stickiness/index.js';
import { rewardsStore } from '../points/points.rewards.js';

export const TOP_VIEWERS = 10;
/** The brand's streams looked at for "earlier streams" (newest first). */
const BRAND_STREAMS_LIMIT = 1000;
/** A timeline longer than this (a stream left live for days) is cut: the figures above it still count everything. */
const MAX_TIMELINE_MINUTES = 3 * 24 * 60;

export interface Computed {
  summary: StreamSummary;
  /** The stream's viewers (sorted; only for a final summary) and buyers, for the finalize step's snapshot and indexes. */
  viewers: string[];
  buyers: string[];
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const rate = (n: number, d: number): number | null => (d === 0 ? null : round(n / d, 4));

/**
 * Every figure of the summary, from the stream's real events (see docs/summary.md for each definition).
 * With an `audience` kept from an earlier call, only the viewers changed or joined since are read again
 * (the live summary's refresh); without one, every viewer is read (the final summary). Both give the same
 * figures for the same data and time: the per-viewer pass always runs over every viewer.
 */
export async function computeSummary(ctx: AppContext, stream: StreamRecord, final: boolean, audience = new Audience(stream.id)): Promise<Computed> {
  const now = ctx.clock.now();
  const store = summaryStore(ctx);
  const brandStreams = await loadBrandStreams(ctx, stream.brandId);
  const earlier = earlierStreams(stream, brandStreams);
  const indexed = await indexEarlierStreams(ctx, stream, earlier);
  // The members' returning flags and `before` segments rest on the earlier streams (their indexes, their
  // rolled-up histories): read again from scratch whenever any of that may have moved.
  const basis = await audienceBasis(ctx, stream, earlier, indexed);
  if (basis !== audience.basis) audience.reset(basis);

  const endMs = stream.endedAt ?? now;
  // The reads that do not rest on the viewers go out with the audience's: none waits for another.
  const momentsRead = readMoments(ctx.redis, ctx.keys, stream.id).then(async (raw) => {
    const moments: SummaryMoment[] = raw
      .flatMap((m) => (m.kind === 'qa' ? [] : [{ ...m, kind: m.kind, minute: Math.floor(m.at / 60_000) }]))
      .sort((a, b) => a.at - b.at);
    const distinct = (kind: SummaryMoment['kind']) => [...new Set(moments.filter((m) => m.kind === kind).map((m) => m.id))];
    const [polls, lotteries] = await Promise.all([pollOutcomes(ctx, stream.id, distinct('poll')), lotteryOutcomes(ctx, stream.id, distinct('lottery'))]);
    return { moments, polls, lotteries, distinct };
  });
  const sources = Promise.all([
    streamTotals(ctx.redis, ctx.keys, stream.id),
    presenceSummary(ctx.redis, ctx.keys, stream.id),
    store.activityTimeline(stream.id),
    momentsRead,
    streamReferrals(ctx, stream.id),
    latestOrders(ctx, stream.id).then((latest) => qaQuality(ctx, stream.id, latest)),
    revenueByCurrency(ctx, stream.id),
    // points rewards redeemed with the brand (filtered to this stream's viewers below) while it was live
    stream.startedAt === undefined ? [] : rewardsStore(ctx).redemptionsBetween(stream.brandId, stream.startedAt, endMs),
  ]);
  sources.catch(() => {}); // awaited below; a failure while the audience is read must not go unhandled
  await updateAudience(ctx, stream, audience);
  const population = audience.members;
  const previous = earlier.at(-1) ?? null;
  const previousRead = previous ? previousPopulation(ctx, audience, previous.id) : null;
  previousRead?.catch(() => {});

  const p = scoringStore(ctx).params;
  const acc = new Accumulator();
  let n = 0;
  for (const m of population.values()) {
    const a = m.after;
    acc.add(m.row, { before: m.before, after: a ? segmentAt(a, endMs, p) : null, score: a ? round2(scoreAt(a, endMs, p)) : null });
    if (++n % YIELD_EVERY === 0) await yieldLoop();
  }

  let previousViewers = 0;
  let churned = 0;
  if (previousRead) {
    const prev = await previousRead;
    previousViewers = prev.size;
    for (const id of prev) if (!population.has(id)) churned++;
  }

  const [totals, presence, activityTimeline, { moments, polls, lotteries, distinct }, referrals, qa, byCurrency, redemptions] = await sources;
  // points rewards redeemed with the brand by this stream's viewers while it was live
  const redeemed = redemptions.filter((r) => population.has(r.viewerId));

  const topViewers = acc.top.map(toTopViewer);
  const u = population.size;
  const t = (m: keyof typeof totals) => totals[m] ?? 0;
  const watchMs = Float64Array.from(acc.watchMs).sort();
  let totalWatchMs = 0;
  for (const x of watchMs) totalWatchMs += x;

  const summary: StreamSummary = {
    streamId: stream.id,
    brandId: stream.brandId,
    title: stream.title,
    status: stream.status,
    final,
    computedAt: now,
    startedAt: stream.startedAt ?? null,
    endedAt: stream.endedAt ?? null,
    durationSec: stream.startedAt === undefined ? 0 : Math.max(0, Math.floor((endMs - stream.startedAt) / 1000)),

    uniqueViewers: u,
    peakConcurrent: presence.peakConcurrent,
    peakAt: presence.peakAt,
    totalWatchSec: round(totalWatchMs / 1000, 1),
    avgWatchSec: u === 0 ? 0 : round(totalWatchMs / 1000 / u, 1),
    medianWatchSec: round(median(watchMs) / 1000, 1),
    newViewers: u - acc.returning,
    returningViewers: acc.returning,
    previousStreamId: previous?.id ?? null,
    previousStreamViewers: previousViewers,
    churnedViewers: churned,
    churnRate: rate(churned, previousViewers),

    chatMessages: t('chat'),
    chatters: acc.count('chat'),
    likes: t('likes'),
    likers: acc.count('likes'),
    questions: t('questions'),
    askers: acc.count('questions'),
    upvotes: t('upvotes'),
    qa,

    quizzes: distinct('quiz').length,
    quizAnswers: t('quizAnswers'),
    quizParticipants: acc.count('quizAnswers'),
    quizParticipation: rate(acc.count('quizAnswers'), u),
    quizCorrect: t('quizCorrect'),
    quizAccuracy: rate(t('quizCorrect'), t('quizAnswers')),

    polls,

    lotteries,
    lotteryEntries: t('lotteryEntries'),
    lotteryEntrants: acc.count('lotteryEntries'),
    lotteryWinners: t('lotteryWins'),

    couponDrops: distinct('drop').length,
    couponClaims: t('couponClaims'),
    couponClaimers: acc.count('couponClaims'),
    couponRedemptions: t('couponRedemptions'),
    redemptionRate: rate(t('couponRedemptions'), t('couponClaims')),

    redemptions: redeemed.length,
    pointsRedeemed: redeemed.reduce((sum, r) => sum + r.cost, 0),

    productPins: moments.filter((m) => m.kind === 'product').length,
    productClicks: t('clicks'),
    clickers: acc.count('clicks'),

    orders: t('orders'),
    buyers: acc.buyers.length,
    revenueCents: t('revenueCents'),
    revenue: t('revenueCents') / 100,
    revenueByCurrency: byCurrency,
    conversionRate: rate(acc.buyers.length, u),
    repeatBuyers: acc.repeatBuyers,
    returningBuyers: acc.returningBuyers,

    engagedViewers: acc.engaged,
    engagementRate: rate(acc.engaged, u),

    referredViewers: referrals.referred,
    topReferrers: referrals.topReferrers,

    timeline: timeline(stream, endMs, presence.viewersTimeline, activityTimeline),
    moments,
    segments: acc.segmentChange(),
    topViewers,
    survey: await surveyFigures(ctx, stream.id, (min) => acc.watchMs.filter((ms) => ms >= min).length),
  };
  return { summary, viewers: final ? [...population.keys()].sort() : [], buyers: acc.buyers };
}

/** Members are summed this many at a time between turns of the event loop. */
const YIELD_EVERY = 2000;
const yieldLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * What an audience's `returning` flags and `before` segments depend on besides the viewers themselves: the
 * earlier streams (which, their status) and how far each was rolled up into the brand's histories. A stream
 * indexed just now, or an earlier stream still live, changes it every time.
 */
async function audienceBasis(ctx: AppContext, stream: StreamRecord, earlier: readonly StreamRecord[], indexedNow: number): Promise<string> {
  if (indexedNow > 0 || earlier.some((s) => s.status !== 'ended')) return `moving:${randomUUID()}`;
  const cursors = earlier.length ? await ctx.redis.hmget(scoringKeys(ctx.keys, stream.brandId).cursor, ...earlier.map((s) => s.id)) : [];
  return JSON.stringify([stream.id, streamStart(stream), earlier.map((s, i) => [s.id, s.startedAt, cursors[i]])]);
}

interface Ranked {
  row: ViewerRow;
  standing: Standing;
  interactions: number;
}

/** Every segment (and `unrated`: no history with the brand) at zero, so before and after list the same keys. */
const emptyMix = (): Record<string, number> => Object.fromEntries([...SEGMENTS, 'unrated'].map((k) => [k, 0]));

/** Sums over the per-viewer pass; holds only counters, the watch times (for the median) and the top list. */
class Accumulator {
  readonly watchMs: number[] = [];
  readonly buyers: string[] = [];
  readonly top: Ranked[] = [];
  readonly before: Record<string, number> = emptyMix();
  readonly after: Record<string, number> = emptyMix();
  returning = 0;
  returningBuyers = 0;
  repeatBuyers = 0;
  engaged = 0;
  private readonly counts = new Map<string, number>();

  add(r: ViewerRow, standing: Standing): void {
    const a = r.activity;
    this.before[standing.before ?? 'unrated']!++;
    this.after[standing.after ?? 'unrated']!++;
    this.watchMs.push(metric(a, 'watchMs'));
    if (r.returning) this.returning++;
    for (const k of ACTIVITY_METRICS) if ((a[k] ?? 0) > 0) this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    const orders = metric(a, 'orders');
    if (orders > 0) {
      this.buyers.push(r.viewerId);
      if (orders > 1) this.repeatBuyers++;
      if (r.returningBuyer) this.returningBuyers++;
    }
    if (isEngaged(a)) {
      this.engaged++;
      this.offerTop({ row: r, standing, interactions: interactionsOf(a) });
    }
  }

  /** Viewers with at least one `m` (> 0). */
  count(m: string): number {
    return this.counts.get(m) ?? 0;
  }

  segmentChange(): StreamSummary['segments'] {
    const change: Record<string, number> = {};
    for (const k of Object.keys(this.after)) change[k] = this.after[k]! - this.before[k]!;
    return { before: this.before, after: this.after, change };
  }

  private offerTop(entry: Ranked): void {
    const i = this.top.findIndex((e) => byEngagement(entry, e) < 0);
    if (i === -1) {
      if (this.top.length < TOP_VIEWERS) this.top.push(entry);
      return;
    }
    this.top.splice(i, 0, entry);
    if (this.top.length > TOP_VIEWERS) this.top.pop();
  }
}

/** Most interactions first (likes excluded), then likes, watch time, and viewer id for a stable order. */
function byEngagement(x: Ranked, y: Ranked): number {
  return (
    y.interactions - x.interactions ||
    metric(y.row.activity, 'likes') - metric(x.row.activity, 'likes') ||
    metric(y.row.activity, 'watchMs') - metric(x.row.activity, 'watchMs') ||
    (x.row.viewerId < y.row.viewerId ? -1 : x.row.viewerId > y.row.viewerId ? 1 : 0)
  );
}

function toTopViewer({ row, standing, interactions }: Ranked): TopViewer {
  return {
    viewerId: row.viewerId,
    interactions,
    likes: metric(row.activity, 'likes'),
    watchSec: round(metric(row.activity, 'watchMs') / 1000, 1),
    orders: metric(row.activity, 'orders'),
    revenueCents: metric(row.activity, 'revenueCents'),
    score: standing.score,
    segment: standing.after,
  };
}

function median(sorted: Float64Array): number {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One point per minute from the start minute to the end minute (now while live). */
function timeline(
  stream: StreamRecord,
  endMs: number,
  viewers: { minute: number; viewers: number }[],
  activity: Map<string, number>,
): TimelinePoint[] {
  if (stream.startedAt === undefined) return [];
  const first = Math.floor(stream.startedAt / 60_000);
  const last = Math.min(Math.floor(endMs / 60_000), first + MAX_TIMELINE_MINUTES - 1);
  const seen = new Map(viewers.map((v) => [v.minute, v.viewers]));
  const at = (m: string, minute: number) => activity.get(`${m}:${minute}`) ?? 0;
  const out: TimelinePoint[] = [];
  for (let minute = first; minute <= last; minute++) {
    out.push({
      minute,
      at: minute * 60_000,
      viewers: seen.get(minute) ?? 0,
      chat: at('chat', minute),
      likes: at('likes', minute),
      claims: at('couponClaims', minute),
      orders: at('orders', minute),
    });
  }
  return out;
}

async function loadBrandStreams(ctx: AppContext, brandId: string): Promise<StreamRecord[]> {
  const store = streamStore(ctx);
  const ids = await store.brandStreams(brandId, BRAND_STREAMS_LIMIT);
  const out: StreamRecord[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const got = await Promise.all(ids.slice(i, i + 100).map((id) => store.get(id)));
    for (const s of got) if (s) out.push(s);
  }
  return out;
}
