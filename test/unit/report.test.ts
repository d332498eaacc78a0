import { describe, expect, it } from 'vitest';
import type { ReportStreamFigures } from '@stickyroom/sdk/protocol';
import type { ViewerActivity } from '../../core/src/activity/activity.metrics.js';
import { DEFAULT_PARAMS } from '../../core/src/stickiness/index.js';
import {
  buyerTierAt,
  computeReport,
  engagementEntry,
  flagsOf,
  median,
  postStreamOrders,
  ratio,
  segmentAtStream,
  splitHistory,
  FLAG_LOOKBACK,
  topDecile,
  type BrandOrder,
  type ReportStream,
} from '../../core/src/report/report.compute.js';
import { reportCsv } from '../../core/src/report/report.csv.js';
import { parseReportDate, reportRange } from '../../core/src/report/report.service.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const stream = (id: string, startedAt: number, endedAt: number | null = startedAt + 3600_000, title = id): ReportStream => ({ id, title, startedAt, endedAt });
const order = (orderId: string, viewerId: string, at: number, amountCents: number, streamId: string | null): BrandOrder => ({ orderId, viewerId, at, amountCents, streamId });
const audience = (spec: Record<string, Record<string, ViewerActivity>>) => new Map(Object.entries(spec).map(([id, vs]) => [id, new Map(Object.entries(vs))]));

describe('report statistics', () => {
  it('median, top decile and ratios', () => {
    expect(median([])).toBe(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(topDecile([])).toBe(0);
    expect(topDecile([5, 30, 8, 22, 12])).toBe(30);
    // 20 values 1..20: the top tenth is 19 and 20, its smallest 19
    expect(topDecile(Array.from({ length: 20 }, (_, i) => i + 1))).toBe(19);
    expect(ratio(1, 3)).toBe(0.3333);
    expect(ratio(1, 0)).toBeNull();
  });
});

describe('post-stream orders', () => {
  const a = stream('a', 0, 1000);
  const b = stream('b', 3 * DAY, 3 * DAY + 1000);
  const viewers = audience({ a: { ann: {}, bob: {} }, b: { bob: {} } });

  it('counts the viewers’ orders after the end, within the window, attributed to the stream or an earlier one', () => {
    const got = postStreamOrders([a, b], viewers, [
      order('during', 'ann', 500, 100, 'a'),
      order('after', 'ann', DAY, 200, 'a'),
      order('late', 'ann', 1000 + WEEK + 1, 300, 'a'),
      order('edge', 'ann', 1000 + WEEK, 400, 'a'),
      order('stranger', 'zed', DAY, 500, 'a'),
    ], WEEK);
    expect(got.get('a')!.map((o) => o.orderId)).toEqual(['after', 'edge']);
    expect(got.get('b')).toEqual([]);
  });

  it('gives an order to the latest stream that qualifies, and never to a stream earlier than its attribution', () => {
    const got = postStreamOrders([a, b], viewers, [
      // bob attended both; after b ended, b claims it even though it is attributed to a
      order('claimed', 'bob', 4 * DAY, 100, 'a'),
      // before b ended: only a's window
      order('between', 'bob', 2 * DAY, 200, 'a'),
      // attributed to b: not a's, whatever its time
      order('later', 'bob', 2 * DAY, 300, 'b'),
      order('nowhere', 'bob', 2 * DAY, 400, null),
    ], WEEK);
    expect(got.get('a')!.map((o) => o.orderId)).toEqual(['between']);
    expect(got.get('b')!.map((o) => o.orderId)).toEqual(['claimed']);
  });

  it('a live stream has none yet', () => {
    const live = stream('c', 0, null);
    expect(postStreamOrders([live], audience({ c: { ann: {} } }), [order('x', 'ann', 10, 1, 'c')], WEEK).get('c')).toEqual([]);
  });
});

describe('segments and buyer tiers at a stream', () => {
  const s1 = stream('s1', 0);
  const s2 = stream('s2', 2 * DAY);
  const s3 = stream('s3', 40 * DAY);
  const p = DEFAULT_PARAMS;

  it('rates the entries up to the stream, at its end', () => {
    const entries = [engagementEntry('s1', 0, { firstAt: 1, watchMs: 600_000 }), engagementEntry('s2', 2 * DAY, { firstAt: 1, watchMs: 600_000 })];
    expect(segmentAtStream([], s1, 0, p)).toBe('unrated');
    expect(segmentAtStream(entries, s1, 0, p)).toBe('new');
    expect(segmentAtStream(entries, s2, 0, p)).toBe('casual');
    // nothing since s2: 38 days away is past at-risk (21) but casual viewers go straight to dormant (60)
    expect(segmentAtStream(entries, s3, 0, p)).toBe('casual');
    expect(segmentAtStream(entries, stream('s4', 70 * DAY), 0, p)).toBe('dormant');
    // a live stream is evaluated now
    expect(segmentAtStream(entries, stream('s5', 2 * DAY + 1, null), 70 * DAY, p)).toBe('dormant');
  });

  it('entries truncate counters as the rollup does', () => {
    expect(engagementEntry('s', 5, { watchMs: 1500.7, orders: 1, revenueCents: -3 })).toMatchObject({ streamId: 's', startedAt: 5, watchMs: 1500, orders: 1, revenueCents: 0, chat: 0 });
  });

  it('buyer tiers count the streams bought in that started up to the stream', () => {
    const starts = new Map([
      ['s1', 0],
      ['s2', 2 * DAY],
      ['s3', 40 * DAY],
    ]);
    const orders = [order('1', 'v', 10, 100, 's1'), order('2', 'v', 20, 100, 's1'), order('3', 'v', 2 * DAY, 100, 's2'), order('4', 'v', 30, 100, 'other-brand-stream')];
    expect(buyerTierAt([], starts, s1)).toBe('never');
    expect(buyerTierAt(orders, starts, s1)).toBe('first');
    expect(buyerTierAt(orders, starts, s2)).toBe('repeat');
    expect(buyerTierAt(orders.slice(2), starts, s1)).toBe('never');
  });
});

describe('flags', () => {
  const fig = (over: Partial<ReportStreamFigures>): ReportStreamFigures => ({
    streamId: 's',
    title: '',
    startedAt: 0,
    endedAt: 1,
    uniqueViewers: 10,
    avgWatchSec: 60,
    engagementRate: 0.5,
    revenueCents: 10_000,
    revenue: 100,
    orders: 10,
    buyers: 5,
    returningRate: 0.5,
    previousStreamId: null,
    churnRate: 0.2,
    newBuyers: 2,
    returningBuyers: 3,
    uvValue: 10,
    clickThroughRate: 0.5,
    clickToOrderRate: 0.5,
    postStreamOrders: 2,
    postStreamRevenueCents: 2000,
    postStreamRevenue: 20,
    flags: [],
    ...over,
  });

  it('the three figures furthest below the median of the previous streams, churn counting when above', () => {
    const previous = [fig({ uniqueViewers: 8 }), fig({ uniqueViewers: 12 }), fig({ uniqueViewers: 10 })];
    const flags = flagsOf(fig({ uniqueViewers: 9, orders: 5, churnRate: 0.5, buyers: 4, uvValue: null }), previous);
    expect(flags).toEqual([
      { figure: 'churnRate', value: 0.5, median: 0.2, shortfall: 1.5 },
      { figure: 'orders', value: 5, median: 10, shortfall: 0.5 },
      { figure: 'buyers', value: 4, median: 5, shortfall: 0.2 },
    ]);
  });

  it('none without a previous stream, a zero median or a value at or above it; post-stream figures wait for the window', () => {
    expect(flagsOf(fig({ orders: 0 }), [])).toEqual([]);
    expect(flagsOf(fig({ returningBuyers: 0 }), [fig({ returningBuyers: 0 })])).toEqual([]);
    const low = fig({ postStreamOrders: 0, postStreamRevenue: 0 });
    expect(flagsOf(low, [fig({})]).map((f) => f.figure)).toEqual(['postStreamOrders', 'postStreamRevenue']);
    expect(flagsOf(low, [fig({})], true)).toEqual([]);
    // previous streams with no value (null rate) are left out of the median
    expect(flagsOf(fig({ clickToOrderRate: 0.25 }), [fig({ clickToOrderRate: null }), fig({ clickToOrderRate: 0.5 })])).toEqual([
      { figure: 'clickToOrderRate', value: 0.25, median: 0.5, shortfall: 0.5 },
    ]);
  });
});

describe('computeReport', () => {
  // one earlier stream before the range, two in it
  const s0 = stream('s0', 0);
  const s1 = stream('s1', 10 * DAY, 10 * DAY + 1000, 'Spring, "new" =sale');
  const s2 = stream('s2', 20 * DAY);
  const viewers = audience({
    s0: { old: { firstAt: 1, watchMs: 1000 } },
    s1: { old: { firstAt: 1, watchMs: 3000, clicks: 1, orders: 1, revenueCents: 900 }, ann: { firstAt: 1, chat: 1 }, bob: {} },
    s2: { ann: { firstAt: 1, orders: 2, revenueCents: 500 }, cid: { firstAt: 1, clicks: 2 } },
  });
  const orders = [order('o0', 'old', 100, 100, 's0'), order('o1', 'old', 10 * DAY, 900, 's1'), order('o2', 'ann', 20 * DAY, 200, 's2'), order('o3', 'ann', 20 * DAY, 300, 's2')];
  const r = computeReport({ streams: [s2, s0, s1], viewers, orders, from: 5 * DAY, to: 30 * DAY, now: 31 * DAY, postStreamMs: WEEK, params: DEFAULT_PARAMS });

  it('per-stream figures of the range only, against the whole history', () => {
    expect(r.streams.map((s) => s.streamId)).toEqual(['s1', 's2']);
    expect(r.streams[0]).toMatchObject({
      uniqueViewers: 3,
      avgWatchSec: 1,
      engagementRate: 0.6667,
      returningRate: 0.3333,
      previousStreamId: 's0',
      churnRate: 0,
      buyers: 1,
      newBuyers: 0,
      returningBuyers: 1,
      uvValue: 3,
      clickThroughRate: 0.3333,
      clickToOrderRate: 1,
    });
    expect(r.streams[1]).toMatchObject({ uniqueViewers: 2, returningRate: 0.5, churnRate: 0.6667, orders: 2, buyers: 1, newBuyers: 1, clickToOrderRate: 0 });
  });

  it('period, cohorts, migration and the lifetime-value rows', () => {
    expect(r.period).toEqual({
      streams: 2,
      uniqueViewers: 4,
      orders: 3,
      buyers: 2,
      revenueCents: 1400,
      revenue: 14,
      repeatPurchaseRate: 0,
      purchaseFrequency: 1.5,
      lifetimeValue: { viewers: 4, median: 2.5, topDecile: 10 },
    });
    expect(r.cohorts).toEqual([
      { streamId: 's1', startedAt: 10 * DAY, size: 2, returns: [{ streamId: 's2', present: 1, share: 0.5 }] },
      { streamId: 's2', startedAt: 20 * DAY, size: 1, returns: [] },
    ]);
    expect(r.migration.buyerTiers).toEqual([
      {
        fromStreamId: 's1',
        toStreamId: 's2',
        moves: [
          { from: 'never', to: 'never', viewers: 2 }, // bob, cid
          { from: 'never', to: 'first', viewers: 1 }, // ann
          { from: 'repeat', to: 'repeat', viewers: 1 }, // old
        ],
      },
    ]);
    // bob only joined (no ledger activity): unrated at both
    expect(r.migration.segments[0]!.moves).toContainEqual({ from: 'unrated', to: 'unrated', viewers: 1 });
    expect(r.migration.segments[0]!.moves).toContainEqual({ from: 'unrated', to: 'new', viewers: 1 }); // cid
    expect(r.leaderboard.map((x) => [x.viewerId, x.lifetimeValue, x.streams, x.orders])).toEqual([
      ['old', 10, 1, 1],
      ['ann', 5, 2, 2],
      ['bob', 0, 1, 0],
      ['cid', 0, 1, 0],
    ]);
  });

  it('writes CSV with quoting and defused formulas', () => {
    const csv = reportCsv(r, 'streams').split('\r\n');
    expect(csv[1]).toMatch(/^s1,"Spring, ""new"" =sale",1970-01-11T00:00:00.000Z,/);
    const evil = computeReport({ streams: [stream('s', 0, 1, '=HYPERLINK("x")')], viewers: audience({ s: {} }), orders: [], from: 0, to: 1, now: 2, postStreamMs: WEEK, params: DEFAULT_PARAMS });
    expect(reportCsv(evil, 'streams').split('\r\n')[1]).toMatch(/^s,"'=HYPERLINK\(""x""\)",/);
    expect(reportCsv(r, 'leaderboard').split('\r\n')[1]).toBe('old,1000,10,1,1,900');
  });
});

describe('reading only what the report needs', () => {
  // 16 weekly streams, viewers v0..v19 attending by a fixed pattern, some buying; the period is the last three
  const streams = Array.from({ length: 16 }, (_, i) => stream(`w${String(i).padStart(2, '0')}`, i * WEEK));
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const spec: Record<string, Record<string, ViewerActivity>> = {};
  const orders: BrandOrder[] = [];
  for (const s of streams) {
    spec[s.id] = {};
    for (let v = 0; v < 20; v++) {
      if (next() < 0.5) continue;
      const a: ViewerActivity = next() < 0.2 ? {} : { firstAt: s.startedAt, watchMs: Math.floor(next() * 3_600_000), clicks: next() < 0.3 ? 1 : 0, chat: next() < 0.3 ? 2 : 0 };
      if (a.firstAt !== undefined && next() < 0.25) {
        a.orders = 1;
        a.revenueCents = 100 + Math.floor(next() * 5000);
        orders.push(order(`${s.id}-v${v}`, `v${v}`, s.startedAt + 1000, a.revenueCents, s.id));
      }
      spec[s.id]![`v${v}`] = a;
    }
  }
  const from = 13 * WEEK;
  const to = 16 * WEEK;

  it('splits the history: the period, the lookback before it and what follows in full, the rest thin', () => {
    const { full, thin } = splitHistory([...streams].reverse(), from, to);
    expect(full.map((s) => s.id)).toEqual(streams.slice(13 - FLAG_LOOKBACK).map((s) => s.id));
    expect(thin.map((s) => s.id)).toEqual(['w00', 'w01', 'w02']);
    expect(splitHistory(streams, 100 * WEEK, 101 * WEEK).full).toEqual([]);
  });

  it('gives the same report from the thin streams’ ids and the period viewers’ activity alone', () => {
    const input = { streams, orders, from, to, now: 17 * WEEK, postStreamMs: WEEK, params: DEFAULT_PARAMS };
    const whole = computeReport({ ...input, viewers: audience(spec) });
    const { full, thin } = splitHistory(streams, from, to);
    const periodViewers = new Set(streams.filter((s) => s.startedAt >= from).flatMap((s) => Object.keys(spec[s.id]!)));
    const fullViewers = new Set(full.flatMap((s) => Object.keys(spec[s.id]!)));
    const trimmed: Record<string, Record<string, ViewerActivity>> = {};
    for (const s of full) trimmed[s.id] = spec[s.id]!;
    for (const s of thin) trimmed[s.id] = Object.fromEntries(Object.entries(spec[s.id]!).map(([id, a]) => [id, periodViewers.has(id) ? a : {}]));
    const part = computeReport({ ...input, viewers: audience(trimmed), orders: orders.filter((o) => fullViewers.has(o.viewerId)) });
    expect(whole.streams.length).toBe(3);
    expect(whole.streams.some((s) => s.flags.length > 0)).toBe(true);
    expect(whole.migration.segments.flatMap((m) => m.moves).length).toBeGreaterThan(0);
    expect(part).toEqual(whole);
  });
});

describe('report range', () => {
  it('reads days, date-times and epoch ms; a day as `to` runs to its end', () => {
    expect(parseReportDate('2026-03-02', 'from', 'from')).toBe(Date.UTC(2026, 2, 2));
    expect(parseReportDate('2026-03-02', 'to', 'to')).toBe(Date.UTC(2026, 2, 3) - 1);
    expect(parseReportDate('2026-03-02T10:30:00+02:00', 'from', 'from')).toBe(Date.UTC(2026, 2, 2, 8, 30));
    expect(parseReportDate('1700000000000', 'from', 'from')).toBe(1_700_000_000_000);
    expect(reportRange({}, 100 * DAY)).toEqual({ from: 10 * DAY, to: 100 * DAY });
  });

  it('refuses dates that do not exist and a range that ends before it starts', () => {
    for (const bad of ['2026-02-30', '2026-03-02T24:30:00Z', '2026-13-01']) expect(() => parseReportDate(bad, 'from', 'from')).toThrow(/not a date/);
    expect(() => reportRange({ from: '2026-03-03', to: '2026-03-02' }, 0)).toThrow(/after to/);
    expect(reportRange({ from: '2026-03-02', to: '2026-03-02' }, 0)).toEqual({ from: Date.UTC(2026, 2, 2), to: Date.UTC(2026, 2, 3) - 1 });
  });
});
