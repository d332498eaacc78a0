import { hashFromPairs } from '../redis/replies.js';
import { defineScript } from '../redis/scripts.js';
import { streamKeys } from '../streams/streams.keys.js';
import { pollKeys } from './polls.keys.js';
import { outboxKeys } from '../outbox/outbox.keys.js';
import type { OutboxEntry } from '../outbox/outbox.entry.js';

/** poll-create-3.lua: opens a poll on a live stream with no open poll (the refusal poll_open carries that poll's id). */
export const pollCreate = defineScript({
  file: 'poll-create-3.lua',
  keys: (k, a: { streamId: string; pollId: string; fields: Record<string, string | number> }) => {
    const p = pollKeys(k, a.streamId);
    return [streamKeys(k, a.streamId).meta, p.open, p.poll(a.pollId)];
  },
  argv: (a) => [a.pollId, ...Object.entries(a.fields).flat()],
  refusals: { [-1]: 'poll_not_live', [-2]: 'poll_open' },
  parse: (_created: 1) => undefined,
});

/** poll-vote-3.lua: a viewer's one final vote, counted in the same step. */
export const pollVote = defineScript({
  file: 'poll-vote-3.lua',
  keys: (k, a: { streamId: string; pollId: string; viewerId: string; option: number; now: number }) => {
    const p = pollKeys(k, a.streamId);
    return [p.poll(a.pollId), p.votes(a.pollId), p.counts(a.pollId)];
  },
  argv: (a) => [a.viewerId, a.option, a.now],
  refusals: { [-1]: 'poll_not_found', [-2]: 'poll_closed', [-3]: 'poll_no_such_option', [-4]: 'poll_voted' },
  parse: (_taken: 1) => undefined,
});

/** poll-close-5.lua: closes a poll once (writing its outbox entry) and answers what its final counts are read from. */
export const pollClose = defineScript({
  file: 'poll-close-5.lua',
  keys: (k, a: { streamId: string; pollId: string; now: number; reason: string; entryId: string; entry: OutboxEntry }) => {
    const p = pollKeys(k, a.streamId);
    return [p.poll(a.pollId), p.open, p.counts(a.pollId), p.votes(a.pollId), outboxKeys(k, a.streamId).entries];
  },
  argv: (a) => [a.pollId, a.now, a.reason, a.entryId, JSON.stringify(a.entry)],
  refusals: { [-1]: 'poll_not_found' },
  parse: ([changed, poll, counts, votes]: [number, string[], string[], number]) => ({
    changed: changed === 1,
    poll: hashFromPairs(poll),
    counts: hashFromPairs(counts),
    votes,
  }),
});
