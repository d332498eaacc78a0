import type { LotteryOutcome, Segment } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { LotteryStore } from '../lottery/lottery.store.js';
import { streamOrderKeys } from '../orders/orders.keys.js';
import type { OrderAttribution } from '../orders/orders.store.js';
import { scanHash } from '../redis/replies.js';
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
