import type { PointsEconomy } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { canReadBrand, type User } from '../identity/tokens.js';
import { scoringStore } from '../scoring/scoring.store.js';
import { rewardsStore } from './points.rewards.js';

const DAY_MS = 86_400_000;
/** Longest period one call covers. */
const MAX_DAYS = 366;
/** Most non-redeeming holders compared (the earliest holders first); see docs/summary.md. */
export const HOLDERS_COMPARED = 10_000;
const HISTORY_CHUNK = 500;

const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const rate = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 10_000) / 10_000 : 0);

/**
 * The brand's points economy over [from, to) (default: the 30 days up to now), per UTC day overlapping it:
 * points issued (credited by grants), redeemed (spent on rewards) and expired (left in lots whose day ended),
 * the outstanding balance now (unexpired points viewers hold: the brand's liability), and how redeemers
 * return compared with holders who never redeemed. Everything comes from the ledger the grant and redeem
 * scripts write in the same step as the points change (points.keys.ts `economy`), so the figures are exact.
 */
export async function pointsEconomy(
  ctx: AppContext,
  user: User,
  brandId: string,
  q: { from?: number | undefined; to?: number | undefined },
): Promise<PointsEconomy> {
  if (!canReadBrand(user, brandId)) throw new AppError('forbidden', 'a brand token reads only its own brand');
  const now = ctx.clock.now();
  const to = q.to ?? now;
  const from = q.from ?? to - 30 * DAY_MS;
  if (!(from < to)) throw new AppError('invalid_payload', 'from: must be before to');
  if (to - from > MAX_DAYS * DAY_MS) throw new AppError('invalid_payload', `the period is at most ${MAX_DAYS} days`);
  const ledger = await rewardsStore(ctx).ledger(brandId);
  const { days, totals, outstanding } = readLedger(ledger, from, to, now);
  return { brandId, from, to, days, totals, outstanding, retention: await retention(ctx, brandId, from, to) };
}

/**
 * The ledger's figures (pure): per UTC day overlapping [from, to), what was issued, redeemed and (for days
 * over by `now`) expired, their totals with the redemptions, and the points outstanding at `now` (lots
 * expiring today or later). Field names: see `brandPointsKeys().economy`.
 */
export function readLedger(
  ledger: Readonly<Record<string, number>>,
  from: number,
  to: number,
  now: number,
): Pick<PointsEconomy, 'days' | 'totals' | 'outstanding'> {
  const at = (f: string) => ledger[f] ?? 0;
  const today = Math.floor(now / DAY_MS);
  const days: PointsEconomy['days'] = [];
  const totals = { issued: 0, redeemed: 0, expired: 0, redemptions: 0 };
  for (let d = Math.floor(from / DAY_MS); d <= Math.floor((to - 1) / DAY_MS); d++) {
    const row = { day: isoDay(d), issued: at(`i:${d}`), redeemed: at(`r:${d}`), expired: d < today ? at(`x:${d}`) : 0 };
    days.push(row);
    totals.issued += row.issued;
    totals.redeemed += row.redeemed;
    totals.expired += row.expired;
    totals.redemptions += at(`n:${d}`);
  }
  let outstanding = 0;
  for (const [f, v] of Object.entries(ledger)) if (f.startsWith('x:') && Number(f.slice(2)) >= today) outstanding += v;
  return { days, totals, outstanding };
}

/**
 * Redeemers: viewers with a redemption in [from, to), from their first one in it. Holders: viewers who held
 * points before `to` and never redeemed, from `from` (or their first points, if later). A viewer of either
 * group returned when a stream of the brand they watched (their stickiness history) started after that moment.
 */
async function retention(ctx: AppContext, brandId: string, from: number, to: number): Promise<PointsEconomy['retention']> {
  const store = rewardsStore(ctx);
  const firstRedeemed = new Map<string, number>();
  for (const r of await store.redemptionsBetween(brandId, from, to - 1)) if (!firstRedeemed.has(r.viewerId)) firstRedeemed.set(r.viewerId, r.at);

  const candidates = await store.holders(brandId, to, HOLDERS_COMPARED);
  const counts = await store.redemptionCounts(brandId, candidates.map((h) => h.viewerId));
  const holders = candidates.filter((_, i) => counts[i] === 0).map((h) => ({ viewerId: h.viewerId, since: Math.max(from, h.since) }));
  const redeemers = [...firstRedeemed].map(([viewerId, since]) => ({ viewerId, since }));

  // histories are read a chunk at a time: 10,000 of them in one reply would be megabytes
  const returned = async (group: { viewerId: string; since: number }[]) => {
    let n = 0;
    for (let i = 0; i < group.length; i += HISTORY_CHUNK) {
      const chunk = group.slice(i, i + HISTORY_CHUNK);
      const histories = await scoringStore(ctx).histories(brandId, chunk.map((g) => g.viewerId));
      n += chunk.filter((g, j) => (histories[j]?.entries ?? []).some((e) => e.startedAt > g.since)).length;
    }
    return n;
  };
  const r = await returned(redeemers);
  const h = await returned(holders);
  return {
    redeemers: { viewers: redeemers.length, returned: r, rate: rate(r, redeemers.length) },
    holders: { viewers: holders.length, returned: h, rate: rate(h, holders.length) },
  };
}
