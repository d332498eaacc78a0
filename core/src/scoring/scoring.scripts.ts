import { pairs } from '../redis/replies.js';
import { defineScript } from '../redis/scripts.js';
import type { Tier } from '../stickiness/index.js';
import { scoringKeys } from './scoring.keys.js';

/** score-merge-1.lua: merges packed stream entries into viewers' histories; answers each merged history. */
export const scoreMerge = defineScript({
  file: 'score-merge-1.lua',
  keys: (k, a: { brandId: string; entries: readonly { viewerId: string; entry: string }[] }) => [scoringKeys(k, a.brandId).history],
  argv: (a) => a.entries.flatMap((e) => [e.viewerId, e.entry]),
  parse: (merged: string[]) => merged,
});

export interface RatingRow {
  viewerId: string;
  version: number;
  score: number;
  asOf: number;
  tier: Tier;
  streams: number;
  boardKey: number;
}

/** score-apply-9.lua: stores ratings (a later history version wins) and moves the stream's cursor (if it reached fromSeq); answers how many were written. */
export const scoreApply = defineScript({
  file: 'score-apply-9.lua',
  keys: (k, a: { brandId: string; streamId: string; seq: number; fromSeq: number; rows: readonly RatingRow[] }) => {
    const s = scoringKeys(k, a.brandId);
    return [s.ratings, s.board, s.tier('new'), s.tier('casual'), s.tier('engaged'), s.tier('loyal'), s.riskPool, s.asOf, s.cursor];
  },
  argv: (a) => [
    a.streamId,
    a.seq,
    a.fromSeq,
    ...a.rows.flatMap((r) => [r.viewerId, r.version, String(r.score), r.asOf, r.tier, r.streams, String(r.boardKey)]),
  ],
  parse: (written: number) => written,
});

/** score-page-3.lua: one step of a leaderboard walk; answers the kept viewers' raw ratings and where it stopped. */
export const scorePage = defineScript({
  file: 'score-page-3.lua',
  keys: (k, a: { brandId: string; board: string; from: { key: string; viewerId: string }; limit: number; budget: number; asOfRange: [number, number] }) => {
    const s = scoringKeys(k, a.brandId);
    return [a.board, s.asOf, s.ratings];
  },
  argv: (a) => [a.from.key, a.from.viewerId, a.limit, a.budget, a.asOfRange[0], a.asOfRange[1]],
  parse: ([flat, lastKey, lastViewer]: [string[], string, string]) => ({
    kept: [...pairs(flat)].map(([viewerId, rating]) => ({ viewerId, rating })),
    last: lastKey === '' ? null : { key: lastKey, viewerId: lastViewer },
  }),
});
