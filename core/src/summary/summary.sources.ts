import type { LotteryOutcome, Segment } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { rate, scoreAt, segmentAt } from '../stickiness/index.js';
import { LotteryStore } from '../lottery/lottery.store.js';
import { streamOrderKeys } from '../orders/orders.keys.js';
import type { OrderAttribution } from '../orders/orders.store.js';
import { packEntry, parseHistory } from '../scoring/scoring.history.js';
import { round2, scoringStore } from '../scoring/scoring.store.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { streamStart, type ViewerRow } from './summary.viewers.js';
import { scanHash } from '../redis/replies.js';

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

/** A viewer's stickiness around this stream. */
export interface Standing {
  /** Segment when the stream started (null: no earlier stream of the brand). */
  before: Segment | null;
  /** Segment and score at the stream's end (now while live), counting this stream's activity. */
  after: Segment | null;
  score: number | null;
}

/**
 * Standings from the viewers' per-brand histories with scoring's own formula: `before` from the streams
 * that started earlier, `after` from those plus this stream's ledger as it is now. Computed here rather than
 * read from stored ratings, so the figures do not wait for the next rollup and a later stream never leaks in.
 */
export async function standings(ctx: AppContext, stream: StreamRecord, endMs: number, rows: readonly ViewerRow[]): Promise<Standing[]> {
  const store = scoringStore(ctx);
  const p = store.params;
  const start = streamStart(stream);
  const histories = await store.histories(stream.brandId, rows.map((r) => r.viewerId));
  return rows.map((row, i) => {
    const earlier = histories[i]!.entries.filter((e) => e.streamId !== stream.id && e.startedAt < start);
    const b = rate(earlier, p);
    // The rollup gives every viewer with ledger activity an entry for the stream; join-only viewers get none.
    const own = row.activity.firstAt === undefined ? [] : parseHistory(`0;${packEntry(stream.id, start, row.activity)}`).entries;
    const a = rate([...earlier, ...own], p);
    return {
      before: b ? segmentAt(b, start, p) : null,
      after: a ? segmentAt(a, endMs, p) : null,
      score: a ? round2(scoreAt(a, endMs, p)) : null,
    };
  });
}
