import type { LotteryDrawn } from '@stickyroom/sdk/protocol';
import { activityKeys } from '../activity/activity.keys.js';
import { hashFromPairs } from '../redis/replies.js';
import { defineScript } from '../redis/scripts.js';
import { streamKeys } from '../streams/streams.keys.js';
import { lotteryKeys } from './lottery.keys.js';
import { outboxKeys } from '../outbox/outbox.keys.js';
import type { OutboxEntry } from '../outbox/outbox.entry.js';

/** lottery-create-4.lua: opens a lottery on a live stream with no open lottery. */
export const lotteryCreate = defineScript({
  file: 'lottery-create-4.lua',
  keys: (k, a: { streamId: string; lotteryId: string; keyword: string; fields: Record<string, string | number> }) => {
    const l = lotteryKeys(k, a.streamId);
    return [streamKeys(k, a.streamId).meta, l.open, l.last, l.meta(a.lotteryId)];
  },
  argv: (a) => [a.lotteryId, a.keyword, ...Object.entries(a.fields).flat()],
  refusals: { [-1]: 'lottery_not_live', [-2]: 'lottery_open' },
  parse: (_created: 1) => undefined,
});

export interface EntryArgs {
  streamId: string;
  lotteryId: string;
  viewerId: string;
  /** '' when none. */
  nonce: string;
  via: 'button' | 'chat';
  now: number;
  /** A raffle ticket of the brand was spent on this entry: the watch-time and chat rules are waived. */
  ticket?: boolean;
}

/** lottery-enter-8.lua: one entry with every rule of the stream's slot, and its activity record; answers the entrant count. */
export const lotteryEnter = defineScript({
  file: 'lottery-enter-8.lua',
  keys: (k, a: EntryArgs) => {
    const l = lotteryKeys(k, a.streamId);
    return [l.meta(a.lotteryId), l.entries(a.lotteryId), streamKeys(k, a.streamId).meta, ...activityKeys(k, a.streamId).ledger(a.viewerId)];
  },
  argv: (a) => [a.viewerId, a.nonce, a.now, a.via, a.ticket ? 1 : 0],
  refusals: {
    [-1]: 'lottery_not_found',
    [-2]: 'lottery_closed',
    [-3]: 'lottery_entered',
    [-4]: 'lottery_min_watch',
    [-5]: 'lottery_no_chat',
    [-6]: 'lottery_keyword_only',
  },
  parse: (entrants: number) => entrants,
});

/** lottery-close-2.lua: freezes the entrant list once; answers the lottery's fields after the call. */
export const lotteryClose = defineScript({
  file: 'lottery-close-2.lua',
  keys: (k, a: { streamId: string; lotteryId: string; now: number }) => {
    const l = lotteryKeys(k, a.streamId);
    return [l.meta(a.lotteryId), l.open];
  },
  argv: (a) => [a.lotteryId, a.now],
  refusals: { [-1]: 'lottery_not_found' },
  parse: ([, flat]: [number, string[]]) => hashFromPairs(flat),
});

/** lottery-settle-2.lua: stores the result and its outbox entry once; `stored` only for the call that stored it. */
export const lotterySettle = defineScript({
  file: 'lottery-settle-2.lua',
  keys: (k, a: { streamId: string; lotteryId: string; result: LotteryDrawn; now: number; entryId: string; entry: OutboxEntry }) => [
    lotteryKeys(k, a.streamId).meta(a.lotteryId),
    outboxKeys(k, a.streamId).entries,
  ],
  argv: (a) => [JSON.stringify(a.result), a.now, a.entryId, JSON.stringify(a.entry)],
  refusals: { [-1]: 'lottery_not_closed' },
  parse: ([code, json]: [number, string]) => ({ stored: code === 1, result: JSON.parse(json) as LotteryDrawn }),
});
