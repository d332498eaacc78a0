import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/src/config.js';
import { ACTIVITY_METRICS, type ActivityMetric } from '../../core/src/activity/activity.metrics.js';
import {
  DEFAULT_PARAMS,
  DEFAULT_WEIGHTS,
  boardKey,
  parseWeights,
  rate,
  scoreAt,
  scoringParams,
  segmentAt,
  streamPoints,
  type StreamEngagement,
} from '../../core/src/stickiness/index.js';

const DAY = 86_400_000;
const P = DEFAULT_PARAMS;
const T0 = Date.UTC(2026, 0, 5, 18);

function entry(streamId: string, startedAt: number, m: Partial<Record<ActivityMetric, number>> = {}): StreamEngagement {
  const e = { streamId, startedAt } as StreamEngagement;
  for (const k of ACTIVITY_METRICS) e[k] = m[k] ?? 0;
  return e;
}

const SCORED: ActivityMetric[] = ['watchMs', 'chat', 'likes', 'questions', 'upvotes', 'quizAnswers', 'quizCorrect', 'lotteryEntries', 'couponClaims', 'clicks', 'orders', 'revenueCents', 'referrals'];
const amount = (m: ActivityMetric) => (m === 'watchMs' ? fc.integer({ min: 0, max: 4 * 3_600_000 }) : m === 'revenueCents' ? fc.integer({ min: 0, max: 500_000 }) : fc.integer({ min: 0, max: 60 }));
const arbEntry = (i: number) =>
  fc
    .record({
      day: fc.integer({ min: 0, max: 200 }),
      metrics: fc.record(Object.fromEntries(SCORED.map((m) => [m, amount(m)])) as Record<ActivityMetric, fc.Arbitrary<number>>),
    })
    .map(({ day, metrics }) => entry(`s${i}`, T0 + day * DAY, metrics));
const arbHistory = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbEntry(i))));

/** The score a reader sees a day after the latest stream of either history. */
function seen(h: readonly StreamEngagement[], at: number): number {
  return scoreAt(rate(h, P)!, at, P);
}
const latest = (...hs: (readonly StreamEngagement[])[]) => Math.max(...hs.flat().map((e) => e.startedAt)) + DAY;

describe('stickiness score', () => {
  it('stays strictly between 0 and 100 for anyone who attended', () => {
    fc.assert(
      fc.property(arbHistory, (h) => {
        const r = rate(h, P)!;
        expect(r.score).toBeGreaterThan(0);
        expect(r.score).toBeLessThan(100);
      }),
    );
  });

  it('never goes down when a viewer does more of anything in one of their streams', () => {
    fc.assert(
      fc.property(arbHistory, fc.nat(), fc.constantFrom(...SCORED), fc.integer({ min: 1, max: 100_000 }), (h, pick, metric, more) => {
        const i = pick % h.length;
        const richer = h.map((e, j) => (j === i ? { ...e, [metric]: e[metric] + more } : e));
        const at = latest(h);
        expect(seen(richer, at)).toBeGreaterThanOrEqual(seen(h, at) - 1e-9);
      }),
    );
  });

  it('never goes down when a viewer attends one more stream, earlier or later', () => {
    fc.assert(
      fc.property(arbHistory, arbEntry(99), (h, extra) => {
        const at = latest(h, [extra]);
        expect(seen([...h, extra], at)).toBeGreaterThanOrEqual(seen(h, at) - 1e-9);
      }),
    );
  });

  it('gives each input diminishing returns', () => {
    fc.assert(
      fc.property(arbHistory, fc.nat(), fc.constantFrom(...SCORED), fc.integer({ min: 1, max: 10_000 }), (h, pick, metric, step) => {
        const i = pick % h.length;
        const plus = (k: number) => h.map((e, j) => (j === i ? { ...e, [metric]: e[metric] + k * step } : e));
        const at = latest(h);
        const first = seen(plus(1), at) - seen(plus(0), at);
        const second = seen(plus(2), at) - seen(plus(1), at);
        expect(second).toBeLessThanOrEqual(first + 1e-9);
      }),
    );
  });

  it('counts successful referrals: each raises the score, by less than the one before, and decays like the rest', () => {
    const base = { watchMs: 20 * 60_000, chat: 2 };
    const withRefs = (n: number) => rate([entry('ref', T0, { ...base, referrals: n })], P)!;
    const gains = [0, 1, 2, 3].map((n) => withRefs(n + 1).score - withRefs(n).score);
    for (const g of gains) expect(g).toBeGreaterThan(0);
    for (let i = 1; i < gains.length; i++) expect(gains[i]).toBeLessThan(gains[i - 1]!);
    expect(streamPoints(entry('ref', T0, { referrals: 1 }), P).byInput.referrals).toBe(DEFAULT_WEIGHTS.referrals);
    const r = withRefs(2);
    expect(scoreAt(r, r.asOf + P.halfLifeMs, P)).toBeCloseTo(r.score / 2, 9);
  });

  it('gives returning to more streams diminishing returns too', () => {
    const visit = (n: number) => Array.from({ length: n }, (_, i) => entry(`r${i}`, T0, { watchMs: 20 * 60_000 }));
    const gains = [1, 2, 3, 4, 5].map((n) => rate(visit(n + 1), P)!.score - rate(visit(n), P)!.score);
    for (let i = 1; i < gains.length; i++) expect(gains[i]).toBeLessThan(gains[i - 1]!);
  });

  it('halves every half-life after the latest stream', () => {
    fc.assert(
      fc.property(arbHistory, fc.integer({ min: 1, max: 365 }), (h, days) => {
        const r = rate(h, P)!;
        expect(scoreAt(r, r.asOf, P)).toBe(r.score);
        expect(scoreAt(r, r.asOf + P.halfLifeMs, P)).toBeCloseTo(r.score / 2, 9);
        expect(scoreAt(r, r.asOf + days * DAY, P)).toBeCloseTo(r.score * 2 ** (-days / 30), 9);
      }),
    );
  });

  it('counts a stream one half-life older than the latest at half its points', () => {
    const old = entry('old', T0, { watchMs: 40 * 60_000, chat: 6 });
    const recent = entry('new', T0 + P.halfLifeMs, { watchMs: 10 * 60_000 });
    expect(rate([old, recent], P)!.points).toBeCloseTo(streamPoints(old, P).total / 2 + streamPoints(recent, P).total, 9);
  });

  it('follows the half-life from config', () => {
    const fast = scoringParams(loadConfig({ SCORE_HALF_LIFE_DAYS: '7' }));
    const r = rate([entry('a', T0, { chat: 3 })], fast)!;
    expect(scoreAt(r, r.asOf + 7 * DAY, fast)).toBeCloseTo(r.score / 2, 9);
  });

  it('is a pure function of the history: the same bits in any order', () => {
    fc.assert(
      fc.property(arbHistory, fc.func(fc.integer()), (h, order) => {
        const shuffled = [...h].sort((a, b) => order(a.streamId) - order(b.streamId));
        expect(rate(shuffled, P)).toEqual(rate(h, P));
      }),
    );
  });

  it('orders the leaderboard by board key exactly as by the score seen at any read time', () => {
    fc.assert(
      fc.property(arbHistory, arbHistory, fc.integer({ min: 0, max: 400 }), (a, b, days) => {
        const ra = rate(a, P)!;
        const rb = rate(b, P)!;
        const at = Math.max(ra.asOf, rb.asOf) + days * DAY;
        const bySeen = Math.sign(scoreAt(ra, at, P) - scoreAt(rb, at, P));
        const byKey = Math.sign(boardKey(ra, P) - boardKey(rb, P));
        if (Math.abs(scoreAt(ra, at, P) - scoreAt(rb, at, P)) > 1e-9) expect(byKey).toBe(bySeen);
      }),
    );
  });

  it('scores the worked example of docs/scoring.md', () => {
    const first = entry('spring', T0, { watchMs: 30 * 60_000, chat: 5, quizAnswers: 1, quizCorrect: 1, lotteryEntries: 1, clicks: 2 });
    const second = entry('summer', T0 + 15 * DAY, { watchMs: 45 * 60_000, chat: 2, couponClaims: 1, orders: 1, revenueCents: 4_999 });
    expect(streamPoints(first, P).total).toBeCloseTo(88.32, 2);
    expect(streamPoints(second, P).total).toBeCloseTo(158.08, 2);
    const r = rate([first, second], P)!;
    expect(r.points).toBeCloseTo(220.53, 2);
    expect(r.score).toBeCloseTo(63.91, 2);
    expect(segmentAt(r, r.asOf + DAY, P)).toBe('engaged');
    expect(scoreAt(r, r.asOf + 30 * DAY, P)).toBeCloseTo(31.95, 2);
    expect(segmentAt(r, r.asOf + 30 * DAY, P)).toBe('at-risk');
    expect(segmentAt(r, r.asOf + 60 * DAY, P)).toBe('dormant');
  });
});

describe('segments', () => {
  const one = [entry('a', T0, { watchMs: 3 * 3_600_000, chat: 30, orders: 2 })];
  it('calls anyone on their first stream new, however engaged', () => {
    expect(segmentAt(rate(one, P)!, T0 + DAY, P)).toBe('new');
  });
  it('needs three streams and a score of 60 for loyal', () => {
    const three = [0, 7, 14].map((d, i) => entry(`l${i}`, T0 + d * DAY, { watchMs: 40 * 60_000, chat: 5, orders: 1, revenueCents: 5000 }));
    const r = rate(three, P)!;
    expect(r.score).toBeGreaterThan(60);
    expect(segmentAt(r, T0 + 15 * DAY, P)).toBe('loyal');
    expect(segmentAt(rate(three.slice(1), P)!, T0 + 15 * DAY, P)).toBe('engaged');
  });
  it('keeps a casual viewer casual while away, until dormant', () => {
    const r = rate([entry('c1', T0, { watchMs: 60_000 }), entry('c2', T0 + DAY, { watchMs: 60_000 })], P)!;
    expect(segmentAt(r, T0 + 30 * DAY, P)).toBe('casual');
    expect(segmentAt(r, T0 + 61 * DAY, P)).toBe('dormant');
  });
});

describe('scoring config', () => {
  it('defaults to the documented weights', () => {
    expect(parseWeights(loadConfig({}).SCORE_WEIGHTS)).toEqual(DEFAULT_WEIGHTS);
  });
  it('takes overrides and refuses unknown inputs', () => {
    expect(parseWeights('chat=1, orders=100').orders).toBe(100);
    expect(() => parseWeights('vibes=3')).toThrow(/SCORE_WEIGHTS/);
  });
});
