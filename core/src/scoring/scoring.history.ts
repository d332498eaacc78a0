import { ACTIVITY_METRICS, type ViewerActivity } from '../activity/activity.metrics.js';
import type { StreamEngagement } from '../stickiness/index.js';

/**
 * A viewer's per-brand history is stored as one string per viewer so a script can merge a stream entry
 * into it and hand the whole history back in the same call:
 *
 *   <version>;<streamId>,<startedAt>,<metric 1>,...,<metric n>;<streamId>,...
 *
 * Metrics follow ACTIVITY_METRICS (a metric added at the end reads as 0 in older entries). Every counter
 * only grows in the ledger, so merge-by-maximum (score-merge-1.lua) is idempotent and order-free. The
 * ledger's lastAt is left out on purpose: it is the time of the latest event as its node's clock saw it,
 * which need not grow, and the score does not use it.
 */
export const ENTRY_FIELDS = ['startedAt', ...ACTIVITY_METRICS] as const;

export function packEntry(streamId: string, startedAt: number, a: ViewerActivity): string {
  const nums = [startedAt, ...ACTIVITY_METRICS.map((m) => a[m] ?? 0)].map((n) => String(Math.max(0, Math.trunc(n))));
  return `${streamId},${nums.join(',')}`;
}

/**
 * The fields of a viewer's activity hash a stream entry is made of, in order (HMGET them and hand the reply
 * to `packEntryFields`).
 */
export const ENTRY_METRICS = ACTIVITY_METRICS;

/**
 * `packEntry` from the raw HMGET reply of ENTRY_METRICS (null for a missing field): the rollup packs 100,000
 * viewers without building an object per viewer. Gives the same string as `packEntry(parseViewerActivity(h))`.
 */
export function packEntryFields(streamId: string, startedAt: number, values: readonly (string | null)[]): string {
  let out = `${streamId},${Math.max(0, Math.trunc(startedAt))}`;
  for (const v of values) {
    const n = v === null ? 0 : Number(v);
    out += `,${Number.isFinite(n) ? Math.max(0, Math.trunc(n)) : 0}`;
  }
  return out;
}

export interface History {
  version: number;
  entries: StreamEngagement[];
}

/** A row of activity-read-n.lua that is already in entry form: ENTRY_METRICS.length non-negative integers of at most 15 digits. */
const CLEAN_ROW = new RegExp(`^(?:0|[1-9]\\d{0,14})(?:,(?:0|[1-9]\\d{0,14})){${ENTRY_METRICS.length - 1}}$`);

/**
 * `packEntryFields` from a row of activity-read-n.lua (the values of ENTRY_METRICS joined by ','): a row of
 * plain counters, what the ledger holds, is used as it is, without splitting it; anything else goes through
 * `packEntryFields`. Gives the same string either way.
 */
export function packEntryRow(streamId: string, startedAt: number, row: string): string {
  if (CLEAN_ROW.test(row)) return `${streamId},${Math.max(0, Math.trunc(startedAt))},${row}`;
  const values: (string | null)[] = row.split(',');
  while (values.length < ENTRY_METRICS.length) values.push(null);
  return packEntryFields(streamId, startedAt, values.slice(0, ENTRY_METRICS.length));
}

const num = (s: string | undefined): number => Number(s ?? 0) || 0;

/**
 * One history entry from its fields (`<streamId>,<startedAt>,<metric>,...`, split), as one object literal in
 * ENTRY_FIELDS order: the rollup parses 100,000 histories, and an object built field by field from a list
 * of names costs several times as much. A metric added to ACTIVITY_METRICS fails to compile here until it
 * is added (StreamEngagement has a field per metric); test/unit/scoring-pack.test.ts checks the order.
 */
function entryOf(f: readonly string[]): StreamEngagement {
  return {
    streamId: f[0] ?? '',
    startedAt: num(f[1]),
    watchMs: num(f[2]),
    chat: num(f[3]),
    likes: num(f[4]),
    questions: num(f[5]),
    upvotes: num(f[6]),
    quizAnswers: num(f[7]),
    quizCorrect: num(f[8]),
    lotteryEntries: num(f[9]),
    lotteryWins: num(f[10]),
    couponClaims: num(f[11]),
    couponRedemptions: num(f[12]),
    clicks: num(f[13]),
    orders: num(f[14]),
    revenueCents: num(f[15]),
    referrals: num(f[16]),
  };
}

const whole = (n: number | undefined): number => Math.max(0, Math.trunc(n ?? 0)) || 0;

/**
 * The entry `packEntry(streamId, startedAt, a)` parses back to, without the string in between (the summary
 * rates 100,000 viewers' own entries at the end of a stream). test/unit/scoring-pack.test.ts checks they agree.
 */
export function entryOfActivity(streamId: string, startedAt: number, a: ViewerActivity): StreamEngagement {
  return {
    streamId,
    startedAt: whole(startedAt),
    watchMs: whole(a.watchMs),
    chat: whole(a.chat),
    likes: whole(a.likes),
    questions: whole(a.questions),
    upvotes: whole(a.upvotes),
    quizAnswers: whole(a.quizAnswers),
    quizCorrect: whole(a.quizCorrect),
    lotteryEntries: whole(a.lotteryEntries),
    lotteryWins: whole(a.lotteryWins),
    couponClaims: whole(a.couponClaims),
    couponRedemptions: whole(a.couponRedemptions),
    clicks: whole(a.clicks),
    orders: whole(a.orders),
    revenueCents: whole(a.revenueCents),
    referrals: whole(a.referrals),
  };
}

/**
 * `parseHistory(packed).entries.filter((e) => e.streamId !== streamId && e.startedAt < before)`, without
 * splitting or building the entry of `streamId` (the summary skips the stream's own entry in 100,000 histories).
 */
export function parseEntriesBefore(packed: string | null | undefined, streamId: string, before: number): StreamEngagement[] {
  const entries: StreamEngagement[] = [];
  if (!packed) return entries;
  const own = `${streamId},`;
  const parts = packed.split(';');
  for (let p = 1; p < parts.length; p++) {
    const part = parts[p]!;
    if (!part || part.startsWith(own)) continue;
    const e = entryOf(part.split(','));
    if (e.streamId !== streamId && e.startedAt < before) entries.push(e);
  }
  return entries;
}

export function parseHistory(packed: string | null | undefined): History {
  if (!packed) return { version: 0, entries: [] };
  const parts = packed.split(';');
  const entries: StreamEngagement[] = [];
  for (let p = 1; p < parts.length; p++) {
    if (parts[p]) entries.push(entryOf(parts[p]!.split(',')));
  }
  return { version: Number(parts[0]) || 0, entries };
}
