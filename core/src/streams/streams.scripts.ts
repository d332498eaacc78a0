import { hashFromPairs } from '../redis/replies.js';
import { defineScript } from '../redis/scripts.js';
import { streamKeys } from './streams.keys.js';
import { outboxEntryId } from '../outbox/outbox.entry.js';
import { outboxKeys } from '../outbox/outbox.keys.js';

/**
 * stream-transition-2.lua: scheduled -> live -> ended, never backwards or twice (the end with its outbox
 * entry); answers the stream's fields after it.
 */
export const streamTransition = defineScript({
  file: 'stream-transition-2.lua',
  keys: (k, a: { streamId: string; to: 'live' | 'ended'; now: number }) => [streamKeys(k, a.streamId).meta, outboxKeys(k, a.streamId).entries],
  argv: (a) => {
    const entry = { kind: 'stream.ended' } as const;
    return [a.to, a.now, outboxEntryId(entry, a.streamId), JSON.stringify(entry)];
  },
  refusals: { [-1]: 'stream_not_found' },
  parse: ([changed, flat]: [number, string[]]) => ({ changed: changed === 1, fields: hashFromPairs(flat) }),
});
