import { COUNTED_METRICS, SEGMENT_EXPORT_COLUMNS, type CountedMetric, type LeaderboardPage, type Segment, type ViewerProfile } from '@stickyroom/sdk/protocol';
import { Id } from '@stickyroom/sdk/protocol';
import { canReadBrand, type User } from '../identity/tokens.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { orderStore } from '../orders/orders.service.js';
import { pointsBalance } from '../points/points.service.js';
import { viewerRedemptions } from '../points/points.rewards.js';
import { streamStore } from '../streams/streams.service.js';
import { AT_RISK_TIERS, rate, streamPoints, TIERS, type StreamEngagement } from '../stickiness/index.js';
import { readRating, round2, scoringStore } from './scoring.store.js';

/** Most members one leaderboard request looks at before answering with what it has and a cursor. */
const PAGE_BUDGET = 10_000;

export function authorizeBrand(user: User, brandId: string): void {
  if (!canReadBrand(user, brandId)) throw new AppError('forbidden', 'a brand token reads only its own brand');
}

function encodeCursor(c: { key: string; viewerId: string }): string {
  return Buffer.from(`${c.key}\n${c.viewerId}`).toString('base64url');
}

/** A board key as Redis writes a score (decimal, optional exponent): what Redis and Lua both parse alike. */
const BOARD_KEY = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function decodeCursor(raw: string): { key: string; viewerId: string } {
  const [key = '', viewerId = ''] = Buffer.from(raw, 'base64url').toString().split('\n');
  if (!BOARD_KEY.test(key) || !Number.isFinite(Number(key)) || !Id.safeParse(viewerId).success) {
    throw new AppError('invalid_payload', 'cursor: not a cursor this API gave out');
  }
  return { key, viewerId };
}

/**
 * The brand's viewers by score now, optionally of one segment. Viewers are ordered by a key that ranks
 * them as their current scores do at any moment, so pages stay consistent while time passes; the
 * at-risk and dormant filters compare the viewer's latest stream with the reader's clock.
 */
export async function leaderboard(
  ctx: AppContext,
  user: User,
  brandId: string,
  q: { segment?: Segment | undefined; cursor?: string | undefined; limit: number },
): Promise<LeaderboardPage> {
  authorizeBrand(user, brandId);
  const store = scoringStore(ctx);
  const p = store.params;
  const k = store.keys(brandId);
  const now = ctx.clock.now();
  const atRisk = now - p.atRiskMs;
  const dormant = now - p.dormantMs;
  const ALL: [number, number] = [-1, Number.MAX_SAFE_INTEGER];
  const plan: { boards: string[]; range: [number, number]; top?: string } = (() => {
    switch (q.segment) {
      case undefined:
        return { boards: TIERS.map((t) => k.tier(t)), range: ALL };
      case 'casual':
        return { boards: [k.tier('casual')], range: [dormant, ALL[1]] };
      case 'new':
      case 'engaged':
      case 'loyal':
        return { boards: [k.tier(q.segment)], range: [atRisk, ALL[1]] };
      case 'at-risk':
        // the boards of the tiers whose viewers turn at-risk when away (not casual), walked as one
        return { boards: AT_RISK_TIERS.map((t) => k.tier(t)), range: [dormant, atRisk] };
      case 'dormant':
        // Nobody away since before `dormant` has a key above this (scores are at most 100): start there.
        return { boards: TIERS.map((t) => k.tier(t)), range: [ALL[0], dormant], top: String(Math.log2(100) + dormant / p.halfLifeMs) };
    }
  })();

  let from = q.cursor ? decodeCursor(q.cursor) : { key: plan.top ?? '+inf', viewerId: '' };
  const viewers: LeaderboardPage['viewers'] = [];
  let looked = 0;
  let next: { key: string; viewerId: string } | null = from;
  while (next && viewers.length < q.limit && looked < PAGE_BUDGET) {
    const budget = Math.min(2000, PAGE_BUDGET - looked);
    const step = await store.pageStep(brandId, plan.boards, from, q.limit - viewers.length, budget, plan.range);
    for (const { viewerId, rating } of step.kept) {
      viewers.push({ viewerId, ...readRating(rating, now, p), lastStreamAt: rating.asOf, streams: rating.streams, lifetimeValue: 0 });
    }
    looked += budget;
    next = step.last;
    if (next) from = next;
  }
  const ltv = await orderStore(ctx).lifetimeValueCents(
    brandId,
    viewers.map((v) => v.viewerId),
  );
  viewers.forEach((v, i) => (v.lifetimeValue = ltv[i]! / 100));
  return { brandId, segment: q.segment ?? null, viewers, nextCursor: next ? encodeCursor(next) : null };
}

/** Viewers per leaderboard walk of a segment export. */
const EXPORT_PAGE = 500;

/**
 * Every viewer of a segment, as export lines (ndjson or csv), a leaderboard page at a time so a brand's
 * CRM can take a segment of any size. Authorized before the first line (call it before answering).
 */
export function segmentExport(ctx: AppContext, user: User, brandId: string, segment: Segment, format: 'ndjson' | 'csv'): AsyncIterable<string> {
  authorizeBrand(user, brandId);
  return (async function* () {
    if (format === 'csv') yield `${SEGMENT_EXPORT_COLUMNS.join(',')}\n`;
    let cursor: string | undefined;
    do {
      const page = await leaderboard(ctx, user, brandId, { segment, limit: EXPORT_PAGE, ...(cursor ? { cursor } : {}) });
      let chunk = '';
      for (const v of page.viewers) {
        chunk += format === 'csv' ? `${SEGMENT_EXPORT_COLUMNS.map((c) => v[c]).join(',')}\n` : `${JSON.stringify(v)}\n`;
      }
      if (chunk) yield chunk;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  })();
}

/** One viewer's standing with the brand and their recent streams, from the stored history. */
export async function viewerProfile(ctx: AppContext, user: User, brandId: string, viewerId: string): Promise<ViewerProfile> {
  authorizeBrand(user, brandId);
  const store = scoringStore(ctx);
  const p = store.params;
  const history = (await store.histories(brandId, [viewerId]))[0] ?? { version: 0, entries: [] };
  const rating = rate(history.entries, p);
  if (!rating) throw new AppError('not_found', `no stickiness data for viewer ${viewerId} and brand ${brandId}`);
  const now = ctx.clock.now();
  const recent = [...history.entries].sort((a, b) => b.startedAt - a.startedAt).slice(0, 20);
  const streams = await Promise.all(recent.map((e) => streamStore(ctx).get(e.streamId)));
  const sum = (f: (e: StreamEngagement) => number) => history.entries.reduce((n, e) => n + f(e), 0);
  return {
    viewerId,
    brandId,
    ...readRating({ ...rating, version: history.version, tier: 'casual' }, now, p),
    lastStreamAt: rating.asOf,
    streams: rating.streams,
    lifetimeValue: ((await orderStore(ctx).lifetimeValueCents(brandId, [viewerId]))[0] ?? 0) / 100,
    scoreAtLastStream: round2(rating.score),
    engagementPoints: round2(rating.points),
    totals: {
      watchSec: Math.floor(sum((e) => e.watchMs) / 1000),
      orders: sum((e) => e.orders),
      revenueCents: sum((e) => e.revenueCents),
      buyerStreams: rating.buyerStreams,
    },
    points: await pointsBalance(ctx, brandId, viewerId),
    redemptions: await viewerRedemptions(ctx, brandId, viewerId),
    recentStreams: recent.map((e, i) => ({
      streamId: e.streamId,
      title: streams[i]?.title ?? null,
      startedAt: e.startedAt,
      watchSec: Math.floor(e.watchMs / 1000),
      ...(Object.fromEntries(COUNTED_METRICS.map((m) => [m, e[m]])) as Record<CountedMetric, number>),
      engagementPoints: round2(streamPoints(e, p).total),
    })),
  };
}
