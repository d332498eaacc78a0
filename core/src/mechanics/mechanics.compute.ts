/**
 * What each mechanic is worth: pure computation over one stream's moments, its per-minute timeline and
 * per-viewer presence minutes, touches and orders (no I/O; mechanics.reader.ts loads the inputs).
 *
 * Every figure is an observational comparison (who was there, who took part), never an experiment: the
 * viewers who took part chose to, so a difference says what went with taking part, not what it caused.
 * The definitions are in docs/summary.md, "What each mechanic is worth".
 */

import { MECHANIC_TYPES } from '@stickyroom/sdk/protocol';

export { MECHANIC_TYPES };
export type MechanicType = (typeof MECHANIC_TYPES)[number];

/** Minutes of the window before and after a moment for the stream's chat, claims, clicks and orders. */
export const WINDOW_MINUTES = 5;
/** Retention checkpoints: present at the moment's minute, still present this many minutes later. */
export const RETENTION_MINUTES = [5, 10] as const;
/** "Claim and leave": last seen at most this many minutes after the claim's minute. */
export const CLAIM_LEAVE_MINUTES = 2;

/**
 * Watch-time-so-far buckets for matching, in presence minutes before the moment's minute: a viewer is in
 * the last bucket whose lower bound is at most their minutes (0, 1-4, 5-14, 15-29, 30 and more).
 */
export const WATCH_BUCKETS = [0, 1, 5, 15, 30] as const;

export function watchBucket(minutesSoFar: number): number {
  let b = 0;
  for (let i = 0; i < WATCH_BUCKETS.length; i++) if (minutesSoFar >= WATCH_BUCKETS[i]!) b = i;
  return b;
}

/** One viewer of a stream, as the computation needs them. */
export interface ViewerInput {
  /** Minute indexes (0 = the stream's start minute) in which the viewer was seen. */
  minutes: ReadonlySet<number>;
  /** Segment with the brand when the stream started (`none`: no earlier stream of the brand). */
  segment: string;
  /** The viewer's orders with the brand: time and the stream they were attributed to. */
  orders: readonly { at: number; streamId: string | null }[];
}

export interface MomentInput {
  id: string;
  type: MechanicType;
  at: number;
  label: string;
  /** The viewers the mechanic touched (answered, entered, claimed, clicked, asked or upvoted). */
  touched: ReadonlySet<string>;
  /** Drops only: each claimer's first claim time. */
  claims?: ReadonlyMap<string, number>;
  /** Discount of the moment's coupons redeemed by an order, in cents; null when the moment issues none. */
  couponDiscountCents: number | null;
  /** Points granted to the touched viewers for this moment; null when the mechanic grants none. */
  pointsGranted: number | null;
}

export interface StreamInput {
  streamId: string;
  /** The stream's start minute (floor(startedAt / 60000)). */
  startMinute: number;
  /** Index of the stream's last minute (its end, or now while live) relative to startMinute. */
  lastIndex: number;
  /** The activity timeline: `<metric>:<absolute minute>` -> count. */
  timeline: Readonly<Record<string, number>>;
  viewers: ReadonlyMap<string, ViewerInput>;
  /** Viewers of the brand's next stream (finalized), or null when there is none yet. */
  nextStreamViewers: ReadonlySet<string> | null;
  moments: readonly MomentInput[];
}

/** A compared figure: the touched viewers' mean and their matched non-participants' mean. */
export interface Compared {
  touched: number | null;
  control: number | null;
}

export interface WindowFigures {
  minutesBefore: number;
  minutesAfter: number;
  chatBefore: number;
  chatAfter: number;
  claimsBefore: number;
  claimsAfter: number;
  clicksBefore: number;
  clicksAfter: number;
  ordersBefore: number;
  ordersAfter: number;
  chatPerMinuteBefore: number | null;
  chatPerMinuteAfter: number | null;
}

export interface MomentFigures {
  streamId: string;
  id: string;
  type: MechanicType;
  at: number;
  label: string;
  /** Viewers seen in the moment's minute. */
  presentAtMoment: number;
  /** Of those, seen again 5 (10) minutes later; null when the stream did not last that long. */
  stillPresent5: number | null;
  stillPresent10: number | null;
  retention5: number | null;
  retention10: number | null;
  window: WindowFigures;
  /** Viewers the mechanic touched, present at the moment or not. */
  touched: number;
  comparison: {
    /** Touched viewers present at the moment with at least one comparable non-participant. */
    touchedMatched: number;
    /** Distinct non-participants present at the moment in the matched viewers' strata. */
    controls: number;
    watchMinutesAfter: Compared;
    /** Share seen in the brand's next stream; null when there is no finalized next stream. */
    returnedNextStream: Compared | null;
    ordersAfter: Compared;
  };
  /** Drops only: claimers whose claim left 3 minutes of stream to observe, and how many were gone within 2. */
  claimAndLeave: { claimers: number; left: number; rate: number | null } | null;
  cost: {
    couponDiscount: number | null;
    pointsGranted: number | null;
    /** Touched viewers whose first order with the brand came at or after the moment, in this stream. */
    newBuyers: number;
    couponDiscountPerNewBuyer: number | null;
    pointsPerNewBuyer: number | null;
  };
}

/** A figure pooled over moments, with the number of moments behind it. */
export interface Pooled {
  value: number | null;
  moments: number;
}

export interface PooledCompared {
  touched: number | null;
  control: number | null;
  moments: number;
}

export interface MechanicTypeFigures {
  type: MechanicType;
  moments: number;
  presentAtMoment: number;
  retention5: Pooled;
  retention10: Pooled;
  /** Per minute, pooled: the sum of the windows' counts over the sum of their minutes. */
  perMinute: {
    moments: number;
    chatBefore: number | null;
    chatAfter: number | null;
    claimsBefore: number | null;
    claimsAfter: number | null;
    clicksBefore: number | null;
    clicksAfter: number | null;
    ordersBefore: number | null;
    ordersAfter: number | null;
  };
  touched: number;
  touchedMatched: number;
  controls: number;
  watchMinutesAfter: PooledCompared;
  returnedNextStream: PooledCompared;
  ordersAfter: PooledCompared;
  claimAndLeave: { claimers: number; left: number; rate: number | null; moments: number } | null;
  cost: {
    couponDiscount: Pooled;
    pointsGranted: Pooled;
    newBuyers: number;
    couponDiscountPerNewBuyer: number | null;
    pointsPerNewBuyer: number | null;
  };
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;
const ratio = (a: number, b: number): number | null => (b > 0 ? round2(a / b) : null);

/** Sums of one moment, kept unrounded so moments pool exactly. */
interface MomentSums {
  present: number;
  still5: number | null;
  still10: number | null;
  window: WindowFigures;
  touched: number;
  matched: number;
  controls: number;
  /** Σ over matched touched of the figure, and Σ over matched touched of their stratum's control mean. */
  watch: { t: number; c: number };
  returned: { t: number; c: number } | null;
  orders: { t: number; c: number };
  claimLeave: { claimers: number; left: number } | null;
  discountCents: number | null;
  points: number | null;
  newBuyers: number;
}

export interface MomentResult {
  figures: MomentFigures;
  sums: MomentSums;
}

/** Index of the first element of sorted `a` that is at least `x`. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of the sorted minutes fall in [from, to]. */
function countIn(sorted: readonly number[], from: number, to: number): number {
  return to < from ? 0 : lowerBound(sorted, to + 1) - lowerBound(sorted, from);
}

/** Figures of each moment of one stream, oldest first. */
export function streamMoments(s: StreamInput): MomentResult[] {
  const sorted = sortedMinutes(s);
  return [...s.moments].sort((a, b) => a.at - b.at).map((m) => momentResult(s, sorted, m));
}

/** Each viewer's minutes sorted once, so every count of momentResult is two binary searches. */
export function sortedMinutes(s: StreamInput): Map<string, number[]> {
  const sorted = new Map<string, number[]>();
  for (const [id, v] of s.viewers) sorted.set(id, [...v.minutes].sort((a, b) => a - b));
  return sorted;
}

/** The figures of one moment of the stream (streamMoments, one moment at a time for callers that yield between them). */
export function momentResult(s: StreamInput, sorted: ReadonlyMap<string, number[]>, m: MomentInput): MomentResult {
  const idx = Math.floor(m.at / 60_000) - s.startMinute;
  const present: [string, ViewerInput][] = [];
  for (const e of s.viewers) if (e[1].minutes.has(idx)) present.push(e);
  const still = (k: number): number | null => (idx + k <= s.lastIndex ? present.filter(([, v]) => v.minutes.has(idx + k)).length : null);
  const still5 = still(RETENTION_MINUTES[0]);
  const still10 = still(RETENTION_MINUTES[1]);

  // comparison: touched and not touched viewers present at the moment, in strata of segment x watch bucket;
  // one pass sums each group's figures per stratum
  interface Group {
    n: number;
    watch: number;
    orders: number;
    returned: number;
  }
  const strata = new Map<string, { t: Group; c: Group }>();
  const next = s.nextStreamViewers;
  for (const [id, v] of present) {
    const minutes = sorted.get(id)!;
    const key = `${v.segment}|${watchBucket(countIn(minutes, 0, idx - 1))}`;
    let st = strata.get(key);
    if (!st) strata.set(key, (st = { t: { n: 0, watch: 0, orders: 0, returned: 0 }, c: { n: 0, watch: 0, orders: 0, returned: 0 } }));
    const g = m.touched.has(id) ? st.t : st.c;
    g.n++;
    g.watch += countIn(minutes, idx + 1, s.lastIndex);
    for (const o of v.orders) if (o.at >= m.at && o.streamId === s.streamId) g.orders++;
    if (next?.has(id)) g.returned++;
  }
  let matched = 0;
  let controls = 0;
  const watch = { t: 0, c: 0 };
  const orders = { t: 0, c: 0 };
  const returned = next ? { t: 0, c: 0 } : null;
  for (const { t, c } of strata.values()) {
    if (t.n === 0 || c.n === 0) continue;
    matched += t.n;
    controls += c.n;
    // the touched viewers' sums, and their stratum's non-participant mean once per touched viewer
    watch.t += t.watch;
    watch.c += (t.n * c.watch) / c.n;
    orders.t += t.orders;
    orders.c += (t.n * c.orders) / c.n;
    if (returned) {
      returned.t += t.returned;
      returned.c += (t.n * c.returned) / c.n;
    }
  }

  // claim and leave: claimers with CLAIM_LEAVE_MINUTES + 1 minutes of stream after their claim's minute
  let claimLeave: MomentSums['claimLeave'] = null;
  if (m.type === 'drop') {
    claimLeave = { claimers: 0, left: 0 };
    for (const [id, at] of m.claims ?? []) {
      const c = Math.floor(at / 60_000) - s.startMinute;
      if (c + CLAIM_LEAVE_MINUTES >= s.lastIndex) continue;
      claimLeave.claimers++;
      const minutes = sorted.get(id);
      if (!minutes || countIn(minutes, c + CLAIM_LEAVE_MINUTES + 1, s.lastIndex) === 0) claimLeave.left++;
    }
  }

  let newBuyers = 0;
  for (const id of m.touched) {
    const v = s.viewers.get(id);
    if (!v || v.orders.length === 0) continue;
    const first = v.orders.reduce((a, o) => (o.at < a.at ? o : a));
    if (first.at >= m.at && first.streamId === s.streamId) newBuyers++;
  }

  const window = windowFigures(s, idx);
  const sums: MomentSums = {
    present: present.length,
    still5,
    still10,
    window,
    touched: m.touched.size,
    matched,
    controls,
    watch,
    returned,
    orders,
    claimLeave,
    discountCents: m.couponDiscountCents,
    points: m.pointsGranted,
    newBuyers,
  };
  const discount = m.couponDiscountCents === null ? null : m.couponDiscountCents / 100;
  const figures: MomentFigures = {
    streamId: s.streamId,
    id: m.id,
    type: m.type,
    at: m.at,
    label: m.label,
    presentAtMoment: present.length,
    stillPresent5: still5,
    stillPresent10: still10,
    retention5: still5 === null ? null : ratio(still5, present.length),
    retention10: still10 === null ? null : ratio(still10, present.length),
    window,
    touched: m.touched.size,
    comparison: {
      touchedMatched: matched,
      controls,
      watchMinutesAfter: { touched: ratio(watch.t, matched), control: ratio(watch.c, matched) },
      returnedNextStream: returned ? { touched: ratio(returned.t, matched), control: ratio(returned.c, matched) } : null,
      ordersAfter: { touched: ratio(orders.t, matched), control: ratio(orders.c, matched) },
    },
    claimAndLeave: claimLeave ? { ...claimLeave, rate: ratio(claimLeave.left, claimLeave.claimers) } : null,
    cost: {
      couponDiscount: discount === null ? null : round2(discount),
      pointsGranted: m.pointsGranted,
      newBuyers,
      couponDiscountPerNewBuyer: discount === null ? null : ratio(discount, newBuyers),
      pointsPerNewBuyer: m.pointsGranted === null ? null : ratio(m.pointsGranted, newBuyers),
    },
  };
  return { figures, sums };
}

/** The stream's counts in the WINDOW_MINUTES before the moment's minute and from it on, within the stream. */
function windowFigures(s: StreamInput, idx: number): WindowFigures {
  const from = Math.max(0, idx - WINDOW_MINUTES);
  const to = Math.min(s.lastIndex, idx + WINDOW_MINUTES - 1);
  const sum = (metric: string, a: number, b: number) => {
    let n = 0;
    for (let i = a; i <= b; i++) n += s.timeline[`${metric}:${s.startMinute + i}`] ?? 0;
    return n;
  };
  const minutesBefore = Math.max(0, idx - from);
  const minutesAfter = Math.max(0, to - idx + 1);
  const chatBefore = sum('chat', from, idx - 1);
  const chatAfter = sum('chat', idx, to);
  return {
    minutesBefore,
    minutesAfter,
    chatBefore,
    chatAfter,
    claimsBefore: sum('couponClaims', from, idx - 1),
    claimsAfter: sum('couponClaims', idx, to),
    clicksBefore: sum('clicks', from, idx - 1),
    clicksAfter: sum('clicks', idx, to),
    ordersBefore: sum('orders', from, idx - 1),
    ordersAfter: sum('orders', idx, to),
    chatPerMinuteBefore: ratio(chatBefore, minutesBefore),
    chatPerMinuteAfter: ratio(chatAfter, minutesAfter),
  };
}

/** Pools the moments of each mechanic type (types without moments are left out), in MECHANIC_TYPES order. */
export function byType(results: readonly MomentResult[]): MechanicTypeFigures[] {
  const out: MechanicTypeFigures[] = [];
  for (const type of MECHANIC_TYPES) {
    const rs = results.filter((r) => r.figures.type === type).map((r) => r.sums);
    if (rs.length === 0) continue;
    const sum = (f: (r: MomentSums) => number) => rs.reduce((a, r) => a + f(r), 0);
    const pooledRetention = (pick: (r: MomentSums) => number | null): Pooled => {
      const with_ = rs.filter((r) => pick(r) !== null && r.present > 0);
      return { value: ratio(with_.reduce((a, r) => a + pick(r)!, 0), with_.reduce((a, r) => a + r.present, 0)), moments: with_.length };
    };
    const pooledCompared = (pick: (r: MomentSums) => { t: number; c: number } | null): PooledCompared => {
      const with_ = rs.filter((r) => pick(r) !== null && r.matched > 0);
      const n = with_.reduce((a, r) => a + r.matched, 0);
      return {
        touched: ratio(with_.reduce((a, r) => a + pick(r)!.t, 0), n),
        control: ratio(with_.reduce((a, r) => a + pick(r)!.c, 0), n),
        moments: with_.length,
      };
    };
    const before = sum((r) => r.window.minutesBefore);
    const afterM = sum((r) => r.window.minutesAfter);
    const leaves = rs.filter((r) => r.claimLeave !== null);
    const discounts = rs.filter((r) => r.discountCents !== null);
    const points = rs.filter((r) => r.points !== null);
    const newBuyers = sum((r) => r.newBuyers);
    const discount = discounts.length ? discounts.reduce((a, r) => a + r.discountCents!, 0) / 100 : null;
    const pointsTotal = points.length ? points.reduce((a, r) => a + r.points!, 0) : null;
    const claimers = leaves.reduce((a, r) => a + r.claimLeave!.claimers, 0);
    const left = leaves.reduce((a, r) => a + r.claimLeave!.left, 0);
    out.push({
      type,
      moments: rs.length,
      presentAtMoment: sum((r) => r.present),
      retention5: pooledRetention((r) => r.still5),
      retention10: pooledRetention((r) => r.still10),
      perMinute: {
        moments: rs.length,
        chatBefore: ratio(sum((r) => r.window.chatBefore), before),
        chatAfter: ratio(sum((r) => r.window.chatAfter), afterM),
        claimsBefore: ratio(sum((r) => r.window.claimsBefore), before),
        claimsAfter: ratio(sum((r) => r.window.claimsAfter), afterM),
        clicksBefore: ratio(sum((r) => r.window.clicksBefore), before),
        clicksAfter: ratio(sum((r) => r.window.clicksAfter), afterM),
        ordersBefore: ratio(sum((r) => r.window.ordersBefore), before),
        ordersAfter: ratio(sum((r) => r.window.ordersAfter), afterM),
      },
      touched: sum((r) => r.touched),
      touchedMatched: sum((r) => r.matched),
      controls: sum((r) => r.controls),
      watchMinutesAfter: pooledCompared((r) => r.watch),
      returnedNextStream: pooledCompared((r) => r.returned),
      ordersAfter: pooledCompared((r) => r.orders),
      claimAndLeave: leaves.length ? { claimers, left, rate: ratio(left, claimers), moments: leaves.length } : null,
      cost: {
        couponDiscount: { value: discount === null ? null : round2(discount), moments: discounts.length },
        pointsGranted: { value: pointsTotal, moments: points.length },
        newBuyers,
        couponDiscountPerNewBuyer: discount === null ? null : ratio(discount, newBuyers),
        pointsPerNewBuyer: pointsTotal === null ? null : ratio(pointsTotal, newBuyers),
      },
    });
  }
  return out;
}
