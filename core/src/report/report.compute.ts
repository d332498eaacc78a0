import {
  ACTIVITY_METRICS,
  BUYER_TIERS,
  REPORT_SEGMENTS,
  type ReportCohort,
  type ReportFlag,
  type ReportMigration,
  type ReportPeriod,
  type ReportStreamFigures,
} from '@stickyroom/sdk/protocol';
import { isEngaged, metric } from '../summary/summary.viewers.js';
import type { ViewerActivity } from '../activity/activity.metrics.js';
import { rate as rateHistory, segmentAt, type ScoringParams, type StreamEngagement } from '../stickiness/index.js';

/**
 * The brand report's figures as pure functions of what the service read (docs/summary.md, "Brand report",
 * defines each): the brand's streams, each stream's viewers with their ledger activity, and the brand's
 * attributed orders. No I/O here, so every definition is unit-tested on its own.
 */

/** A brand stream that went live. */
export interface ReportStream {
  id: string;
  title: string;
  startedAt: number;
  endedAt: number | null;
}

/** One attributed order of the brand (the brand's order history of the buyer). */
export interface BrandOrder {
  orderId: string;
  viewerId: string;
  at: number;
  amountCents: number;
  streamId: string | null;
}

export interface ReportInput {
  /** Every stream of the brand that went live and may matter (the period's, the earlier ones, the ones that may claim orders), any order. */
  streams: readonly ReportStream[];
  /** Per stream id: its viewers (summary's definition), each with their activity in its ledger ({} when they only joined). */
  viewers: ReadonlyMap<string, ReadonlyMap<string, ViewerActivity>>;
  /** The brand's attributed orders of the viewers above (all time). */
  orders: readonly BrandOrder[];
  from: number;
  to: number;
  now: number;
  postStreamMs: number;
  params: ScoringParams;
}

export interface ReportFigures {
  streams: ReportStreamFigures[];
  period: ReportPeriod;
  cohorts: ReportCohort[];
  migration: ReportMigration;
  /** The period's viewers with their lifetime value, by value (highest first), then id. */
  leaderboard: LeaderboardRow[];
}

export interface LeaderboardRow {
  viewerId: string;
  lifetimeValueCents: number;
  lifetimeValue: number;
  /** Streams of the period attended, orders and revenue attributed to them. */
  streams: number;
  orders: number;
  revenueCents: number;
}

/** How many of the brand's previous streams a stream's flags compare it with. */
export const FLAG_LOOKBACK = 10;
export const FLAG_COUNT = 3;

/** Figures a stream is flagged on; all are better higher except churnRate. */
export const FLAG_FIGURES = [
  'uniqueViewers',
  'avgWatchSec',
  'engagementRate',
  'revenue',
  'orders',
  'buyers',
  'returningRate',
  'churnRate',
  'newBuyers',
  'returningBuyers',
  'uvValue',
  'clickThroughRate',
  'clickToOrderRate',
  'postStreamOrders',
  'postStreamRevenue',
] as const satisfies readonly (keyof ReportStreamFigures)[];
const LOWER_IS_BETTER: ReadonlySet<string> = new Set(['churnRate']);

export const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
/** A fraction rounded to 4 decimals; null when the denominator is 0 (the summary's rule). */
export const ratio = (n: number, d: number): number | null => (d === 0 ? null : round(n / d, 4));

/** Median (mean of the middle two for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The threshold of the top decile: the smallest value among the highest ⌈n / 10⌉ values (0 for none). */
export function topDecile(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[s.length - Math.ceil(s.length / 10)]!;
}

/**
 * The post-stream orders of each stream: an order of one of the stream's viewers placed after its end and
 * at most `windowMs` later, attributed to this stream or an earlier one of the brand (an order attributed to
 * a later stream belongs to that one). An order that qualifies for several streams goes to the latest of
 * them (by start): the later stream claims it. Answers stream id -> order ids.
 */
export function postStreamOrders(
  streams: readonly ReportStream[],
  viewers: ReadonlyMap<string, ReadonlyMap<string, unknown>>,
  orders: readonly BrandOrder[],
  windowMs: number,
): Map<string, BrandOrder[]> {
  const start = new Map(streams.map((s) => [s.id, s.startedAt]));
  const latestFirst = [...streams].sort((a, b) => b.startedAt - a.startedAt || cmp(b.id, a.id));
  const out = new Map<string, BrandOrder[]>(streams.map((s) => [s.id, []]));
  for (const o of orders) {
    const attributedStart = o.streamId === null ? undefined : start.get(o.streamId);
    for (const s of latestFirst) {
      if (s.endedAt === null || o.at <= s.endedAt || o.at > s.endedAt + windowMs) continue;
      if (attributedStart === undefined || attributedStart > s.startedAt) continue;
      if (!viewers.get(s.id)?.has(o.viewerId)) continue;
      out.get(s.id)!.push(o);
      break;
    }
  }
  return out;
}

/**
 * Which streams the report needs in full (every viewer's activity): the period's, the FLAG_LOOKBACK before its
 * first (their figures are the flags' medians) and every later one (they may claim post-stream orders). Of the
 * older ones only the viewer ids (first seen) and the activity of the period's viewers (their segment history)
 * are needed: `thin`. Both oldest first.
 */
export function splitHistory(streams: readonly ReportStream[], from: number, to: number): { full: ReportStream[]; thin: ReportStream[] } {
  const all = [...streams].sort((a, b) => a.startedAt - b.startedAt || cmp(a.id, b.id));
  const first = all.findIndex((s) => s.startedAt >= from && s.startedAt <= to);
  if (first === -1) return { full: [], thin: all };
  const cut = Math.max(0, first - FLAG_LOOKBACK);
  return { full: all.slice(cut), thin: all.slice(0, cut) };
}

/** A viewer's per-stream history entry as the rollup writes it (counters truncated, never negative). */
export function engagementEntry(streamId: string, startedAt: number, a: ViewerActivity): StreamEngagement {
  const e = { streamId, startedAt } as Record<string, number | string>;
  for (const m of ACTIVITY_METRICS) e[m] = Math.max(0, Math.trunc(a[m] ?? 0));
  return e as unknown as StreamEngagement;
}

/**
 * The stickiness segment of a viewer at a stream: scoring's formula over the viewer's history entries of the
 * brand's streams that started up to this one (this one included; an entry for every stream in which the
 * viewer has ledger activity, as the rollup makes them), evaluated at the stream's end (`now` while live).
 * `unrated` without any entry.
 */
export function segmentAtStream(entries: readonly StreamEngagement[], s: ReportStream, now: number, p: ScoringParams): (typeof REPORT_SEGMENTS)[number] {
  const r = rateHistory(
    entries.filter((e) => e.startedAt <= s.startedAt),
    p,
  );
  return r ? segmentAt(r, s.endedAt ?? now, p) : 'unrated';
}

/** never: no attributed order; first: orders attributed to one stream; repeat: to two or more (streams started up to this one). */
export function buyerTierAt(viewerOrders: readonly BrandOrder[], startOf: ReadonlyMap<string, number>, s: ReportStream): (typeof BUYER_TIERS)[number] {
  const bought = new Set<string>();
  for (const o of viewerOrders) {
    const at = o.streamId === null ? undefined : startOf.get(o.streamId);
    if (at !== undefined && at <= s.startedAt) bought.add(o.streamId!);
  }
  return bought.size === 0 ? 'never' : bought.size === 1 ? 'first' : 'repeat';
}

/** Figures still counting while the stream's post-stream window is open: not flagged before it closes. */
const POST_STREAM_FIGURES: ReadonlySet<string> = new Set(['postStreamOrders', 'postStreamRevenue']);

/**
 * The three figures furthest below the median of the previous streams (above, for churnRate), with both
 * values; `windowOpen`: the post-stream figures are still growing, so they are left out.
 */
export function flagsOf(current: ReportStreamFigures, previous: readonly ReportStreamFigures[], windowOpen = false): ReportFlag[] {
  const flags: ReportFlag[] = [];
  for (const figure of FLAG_FIGURES) {
    if (windowOpen && POST_STREAM_FIGURES.has(figure)) continue;
    const value = current[figure];
    if (typeof value !== 'number') continue;
    const past = previous.map((s) => s[figure]).filter((v): v is number => typeof v === 'number');
    if (past.length === 0) continue;
    const m = median(past);
    if (m <= 0) continue;
    const shortfall = LOWER_IS_BETTER.has(figure) ? (value - m) / m : (m - value) / m;
    if (shortfall <= 0) continue;
    flags.push({ figure, value, median: round(m, 4), shortfall: round(shortfall, 4) });
  }
  // furthest first; ties keep FLAG_FIGURES order (the sort is stable)
  return flags.sort((a, b) => b.shortfall - a.shortfall).slice(0, FLAG_COUNT);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every figure of the report (see docs/summary.md, "Brand report"). */
export function computeReport(input: ReportInput): ReportFigures {
  const { now, params } = input;
  const all = [...input.streams].sort((a, b) => a.startedAt - b.startedAt || cmp(a.id, b.id));
  const startOf = new Map(all.map((s) => [s.id, s.startedAt]));
  const viewersOf = (id: string): ReadonlyMap<string, ViewerActivity> => input.viewers.get(id) ?? new Map();

  const ordersBy = new Map<string, BrandOrder[]>();
  for (const o of input.orders) {
    const list = ordersBy.get(o.viewerId) ?? [];
    list.push(o);
    ordersBy.set(o.viewerId, list);
  }
  /** Start of the earliest stream each viewer attended. */
  const firstSeen = new Map<string, { start: number; streamId: string }>();
  for (const s of all) for (const id of viewersOf(s.id).keys()) if (!firstSeen.has(id)) firstSeen.set(id, { start: s.startedAt, streamId: s.id });
  const post = postStreamOrders(all, input.viewers, input.orders, input.postStreamMs);

  // Every stream's own figures (earlier streams too: flags compare with them), oldest first.
  const figures: ReportStreamFigures[] = [];
  for (const [i, s] of all.entries()) {
    const vs = viewersOf(s.id);
    const u = vs.size;
    let watchMs = 0;
    let engaged = 0;
    let orders = 0;
    let revenueCents = 0;
    let returning = 0;
    let clickers = 0;
    let clickingBuyers = 0;
    let newBuyers = 0;
    let returningBuyers = 0;
    let buyers = 0;
    for (const [id, a] of vs) {
      watchMs += metric(a, 'watchMs');
      if (isEngaged(a)) engaged++;
      orders += metric(a, 'orders');
      revenueCents += metric(a, 'revenueCents');
      if (firstSeen.get(id)!.start < s.startedAt) returning++;
      const clicked = metric(a, 'clicks') > 0;
      if (clicked) clickers++;
      if (metric(a, 'orders') > 0) {
        buyers++;
        if (clicked) clickingBuyers++;
        const earlier = (ordersBy.get(id) ?? []).some((o) => o.streamId !== null && (startOf.get(o.streamId) ?? Infinity) < s.startedAt);
        if (earlier) returningBuyers++;
        else newBuyers++;
      }
    }
    const previous = all[i - 1] ?? null;
    let churnRate: number | null = null;
    if (previous) {
      const prev = viewersOf(previous.id);
      let churned = 0;
      for (const id of prev.keys()) if (!vs.has(id)) churned++;
      churnRate = ratio(churned, prev.size);
    }
    const postOrders = post.get(s.id)!;
    const postCents = postOrders.reduce((n, o) => n + o.amountCents, 0);
    const f: ReportStreamFigures = {
      streamId: s.id,
      title: s.title,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      uniqueViewers: u,
      avgWatchSec: u === 0 ? 0 : round(watchMs / 1000 / u, 1),
      engagementRate: ratio(engaged, u),
      revenueCents,
      revenue: revenueCents / 100,
      orders,
      buyers,
      returningRate: ratio(returning, u),
      previousStreamId: previous?.id ?? null,
      churnRate,
      newBuyers,
      returningBuyers,
      uvValue: ratio(revenueCents / 100, u),
      clickThroughRate: ratio(clickers, u),
      clickToOrderRate: ratio(clickingBuyers, clickers),
      postStreamOrders: postOrders.length,
      postStreamRevenueCents: postCents,
      postStreamRevenue: postCents / 100,
      flags: [],
    };
    const windowOpen = s.endedAt === null || now <= s.endedAt + input.postStreamMs;
    f.flags = flagsOf(f, figures.slice(Math.max(0, i - FLAG_LOOKBACK), i), windowOpen);
    figures.push(f);
  }

  const inPeriod = all.filter((s) => s.startedAt >= input.from && s.startedAt <= input.to);
  const periodIds = new Set(inPeriod.map((s) => s.id));
  const streams = figures.filter((f) => periodIds.has(f.streamId));

  // Period: distinct viewers and buyers over the period's streams.
  const attended = new Map<string, number>();
  const boughtIn = new Map<string, number>();
  const periodOrders = new Map<string, { orders: number; revenueCents: number }>();
  for (const s of inPeriod) {
    for (const [id, a] of viewersOf(s.id)) {
      attended.set(id, (attended.get(id) ?? 0) + 1);
      const n = metric(a, 'orders');
      if (n > 0) boughtIn.set(id, (boughtIn.get(id) ?? 0) + 1);
      const po = periodOrders.get(id) ?? { orders: 0, revenueCents: 0 };
      po.orders += n;
      po.revenueCents += metric(a, 'revenueCents');
      periodOrders.set(id, po);
    }
  }
  const ltvCents = (id: string) => (ordersBy.get(id) ?? []).reduce((n, o) => n + o.amountCents, 0);
  const values = [...attended.keys()].map((id) => ltvCents(id) / 100);
  const orders = streams.reduce((n, f) => n + f.orders, 0);
  const revenueCents = streams.reduce((n, f) => n + f.revenueCents, 0);
  const period: ReportPeriod = {
    streams: inPeriod.length,
    uniqueViewers: attended.size,
    orders,
    buyers: boughtIn.size,
    revenueCents,
    revenue: revenueCents / 100,
    repeatPurchaseRate: ratio([...boughtIn.values()].filter((n) => n >= 2).length, boughtIn.size),
    purchaseFrequency: ratio(orders, boughtIn.size),
    lifetimeValue: { viewers: values.length, median: round(median(values), 2), topDecile: round(topDecile(values), 2) },
  };

  const leaderboard: LeaderboardRow[] = [...attended.entries()]
    .map(([viewerId, n]) => {
      const cents = ltvCents(viewerId);
      const po = periodOrders.get(viewerId)!;
      return { viewerId, lifetimeValueCents: cents, lifetimeValue: cents / 100, streams: n, orders: po.orders, revenueCents: po.revenueCents };
    })
    .sort((a, b) => b.lifetimeValueCents - a.lifetimeValueCents || cmp(a.viewerId, b.viewerId));

  // Cohorts: the period's viewers by the stream the brand first saw them in.
  const cohorts: ReportCohort[] = inPeriod.map((c, i) => {
    const members = [...viewersOf(c.id).keys()].filter((id) => firstSeen.get(id)!.streamId === c.id);
    return {
      streamId: c.id,
      startedAt: c.startedAt,
      size: members.length,
      returns: inPeriod.slice(i + 1).map((s) => {
        const vs = viewersOf(s.id);
        const present = members.filter((id) => vs.has(id)).length;
        return { streamId: s.id, present, share: ratio(present, members.length) };
      }),
    };
  });

  // Migration between consecutive streams of the period, over the viewers of either.
  const entries = new Map<string, StreamEngagement[]>();
  const entriesOf = (id: string): StreamEngagement[] => {
    let e = entries.get(id);
    if (!e) {
      e = [];
      for (const s of all) {
        const a = viewersOf(s.id).get(id);
        // the rollup gives an entry to every viewer with ledger activity; join-only viewers get none
        if (a && a.firstAt !== undefined) e.push(engagementEntry(s.id, s.startedAt, a));
      }
      entries.set(id, e);
    }
    return e;
  };
  const migration: ReportMigration = { segments: [], buyerTiers: [] };
  for (let i = 1; i < inPeriod.length; i++) {
    const from = inPeriod[i - 1]!;
    const to = inPeriod[i]!;
    const ids = [...new Set([...viewersOf(from.id).keys(), ...viewersOf(to.id).keys()])];
    const seg = new Map<string, number>();
    const tier = new Map<string, number>();
    for (const id of ids) {
      const e = entriesOf(id);
      const sk = `${segmentAtStream(e, from, now, params)}>${segmentAtStream(e, to, now, params)}`;
      seg.set(sk, (seg.get(sk) ?? 0) + 1);
      const o = ordersBy.get(id) ?? [];
      const tk = `${buyerTierAt(o, startOf, from)}>${buyerTierAt(o, startOf, to)}`;
      tier.set(tk, (tier.get(tk) ?? 0) + 1);
    }
    migration.segments.push({ fromStreamId: from.id, toStreamId: to.id, moves: cells(seg, REPORT_SEGMENTS) });
    migration.buyerTiers.push({ fromStreamId: from.id, toStreamId: to.id, moves: cells(tier, BUYER_TIERS) });
  }

  return { streams, period, cohorts, migration, leaderboard };
}

/** Non-zero cells of a from>to count map, in the states' order. */
function cells<S extends string>(counts: ReadonlyMap<string, number>, states: readonly S[]): { from: S; to: S; viewers: number }[] {
  const out: { from: S; to: S; viewers: number }[] = [];
  for (const from of states) {
    for (const to of states) {
      const n = counts.get(`${from}>${to}`) ?? 0;
      if (n > 0) out.push({ from, to, viewers: n });
    }
  }
  return out;
}
