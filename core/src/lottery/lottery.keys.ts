import type { Keys } from '../redis/keys.js';

/** A stream's lottery keys: all in the stream's slot, so entry and draw scripts touch one slot. */
export const lotteryKeys = (k: Keys, streamId: string) => ({
  /** HASH: the lottery (rules, seed, commitment, status, entrant count, result JSON once drawn). */
  meta: (lotteryId: string) => k.stream(streamId, 'lottery', lotteryId),
  /** HASH viewerId -> nonce ('' when none): the entrants; frozen once the lottery is closed. */
  entries: (lotteryId: string) => k.stream(streamId, 'lottery', lotteryId, 'entries'),
  /** HASH { id, keyword }: the open lottery of the stream (at most one), read by the chat hook in one call. */
  open: k.stream(streamId, 'lotteries', 'open'),
  /** STRING: the stream's latest lottery (open or drawn), shown in the join ack. */
  last: k.stream(streamId, 'lotteries', 'last'),
});

export const brandLotteryKeys = (k: Keys, brandId: string) => ({
  /** ZSET viewerId -> time of their latest lottery win in any stream of the brand (excludeRecentWinnersDays). */
  winners: k.brand(brandId, 'lottery', 'winners'),
});
