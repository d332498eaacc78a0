import { pairs } from '../redis/replies.js';
import { defineScript } from '../redis/scripts.js';
import type { Tier } from '../stickiness/index.js';
import { scoringKeys } from './scoring.keys.js';

/** score-merge-1.lua: merges packed stream entries into viewers' histories; answers each merged history. */
export const scoreMerge = defineScript({
  file: 'score-merge-1.lua',
  keys: (k, a: { brandId: string; entries: readonly { viewerId: string; entry: string }[] }) => [scoringKeys(k, a.brandId).history],
  argv: (a) => {
    const out: string[] = [];
    for (const e of a.entries) out.push(e.viewerId, e.entry);
    return out;
  },
  parse: (merged: string[]) => merged,
});

export interface RatingRow {
  viewerId: string;
  /** The rating as stored: `<version>;<score>;<asOf>;<tier>;<streams>` (ratingRow builds it). */
  rating: string;
  boardKey: number;
}

/** A rating as score-apply-6.lua stores it: built once, in one place. */
export function ratingRow(viewerId: string, r: { version: number; score: number; asOf: number; tier: Tier; streams: number; boardKey: number }): RatingRow {
  return { viewerId, rating: `${r.version};${r.score};${r.asOf};${r.tier};${r.streams}`, boardKey: r.boardKey };
}

/** score-apply-6.lua: stores ratings (a later history version wins) and moves the stream's cursor (if it reached fromSeq); answers how many were written. */
export const scoreApply = defineScript({
  file: 'score-apply-6.lua',
  keys: (k, a: { brandId: string; streamId: string; seq: number; fromSeq: number; rows: readonly RatingRow[] }) => {
    const s = scoringKeys(k, a.brandId);
    return [s.ratings, s.tier('new'), s.tier('casual'), s.tier('engaged'), s.tier('loyal'), s.cursor];
  },
  argv: (a) => {
    const out: (string | number)[] = [a.streamId, a.seq, a.fromSeq];
    for (const r of a.rows) out.push(r.viewerId, r.rating, String(r.boardKey));
    return out;
  },
  parse: (written: number) => written,
});

/** score-page-n.lua: one step of a leaderboard walk over one board or several merged; answers the kept viewers' raw ratings and where it stopped. */
export const scorePage = defineScript({
  file: 'score-page-n.lua',
  keys: (k, a: { brandId: string; boards: readonly string[]; from: { key: string; viewerId: string }; limit: number; budget: number; asOfRange: [number, number] }) => [
    scoringKeys(k, a.brandId).ratings,
    ...a.boards,
  ],
  argv: (a) => [a.from.key, a.from.viewerId, a.limit, a.budget, a.asOfRange[0], a.asOfRange[1]],
  parse: ([flat, lastKey, lastViewer]: [string[], string, string]) => ({
    kept: [...pairs(flat)].map(([viewerId, rating]) => ({ viewerId, rating })),
    last: lastKey === '' ? null : { key: lastKey, viewerId: lastViewer },
  }),
});
