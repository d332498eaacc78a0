import { defineScript } from '../redis/scripts.js';
import { pointsKeys } from './points.keys.js';

export interface GrantArgs {
  brandId: string;
  viewerId: string;
  grantId: string;
  mode: 'add' | 'topup';
  points: number;
  /** The stream whose cap applies ('' = not capped per stream). */
  cappedStreamId: string;
  streamCap: number;
  now: number;
  expireDays: number;
}

/** points-grant-3.lua: credits a grant once, within the per-stream cap; answers the points credited. */
export const pointsGrant = defineScript({
  file: 'points-grant-3.lua',
  keys: (k, a: GrantArgs) => {
    const p = pointsKeys(k, a.brandId, a.viewerId);
    return [p.lots, p.grants, p.streams];
  },
  argv: (a) => [a.grantId, a.mode, a.points, a.cappedStreamId, a.streamCap, a.now, a.expireDays],
  parse: (credited: number) => credited,
});

/** The grant shared by a batch of viewers (everything of GrantArgs but the viewer and the points). */
export type BatchGrant = Omit<GrantArgs, 'viewerId' | 'points'> & { viewers: readonly { viewerId: string; points: number }[] };

/** points-grant-batch-n.lua: the same grant for many viewers of one brand in one call; answers the points credited to each. */
export const pointsGrantBatch = defineScript({
  file: 'points-grant-batch-n.lua',
  keys: (k, a: BatchGrant) =>
    a.viewers.flatMap(({ viewerId }) => {
      const p = pointsKeys(k, a.brandId, viewerId);
      return [p.lots, p.grants, p.streams];
    }),
  argv: (a) => [a.grantId, a.mode, a.cappedStreamId, a.streamCap, a.now, a.expireDays, ...a.viewers.map((v) => v.points)],
  parse: (credited: number[]) => credited,
});
