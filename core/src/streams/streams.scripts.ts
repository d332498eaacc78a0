import { hashFromPairs } from '../redis/replies.js';
import { defineScript } from '../redis/scripts.js';
import { streamKeys } from './streams.keys.js';

/** stream-transition-1.lua: scheduled -> live -> ended, never backwards or twice; answers the stream's fields after it. */
export const streamTransition = defineScript({
  file: 'stream-transition-1.lua',
  keys: (k, a: { streamId: string; to: 'live' | 'ended'; now: number }) => [streamKeys(k, a.streamId).meta],
  argv: (a) => [a.to, a.now],
  refusals: { [-1]: 'stream_not_found' },
  parse: ([changed, flat]: [number, string[]]) => ({ changed: changed === 1, fields: hashFromPairs(flat) }),
});
