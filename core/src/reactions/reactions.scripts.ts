import { pairs } from '../redis/replies.js';
import { defineScript } from '../redis/scripts.js';
import { reactionKeys } from './reactions.keys.js';

export type Totals = Record<string, number>;

/**
 * reaction-flush-3.lua: adds one node's coalesced counts and decides the push: the totals to push now,
 * 'retry' (another node holds this interval), or 'none' (nothing pending).
 */
export const reactionFlush = defineScript({
  file: 'reaction-flush-3.lua',
  keys: (k, a: { streamId: string; intervalMs: number; counts: [string, number][] }) => {
    const r = reactionKeys(k, a.streamId);
    return [r.totals, r.pending, r.pushToken];
  },
  argv: (a) => [a.intervalMs, ...a.counts.flat()],
  parse: (r: 0 | -1 | string[]): Totals | 'retry' | 'none' => {
    if (r === -1) return 'retry';
    if (!Array.isArray(r)) return 'none';
    const out: Totals = {};
    for (const [kind, n] of pairs(r)) out[kind] = Number(n);
    return out;
  },
});
