import { defineScript } from '../redis/scripts.js';
import { brandPointsKeys, pointsKeys, pointsScriptKeys, rewardKeys } from './points.keys.js';

/** points-lots-read-n.lua: the lots of many viewers of one brand (both layouts added up), each as `day -> points`. */
export const pointsLotsRead = defineScript({
  file: 'points-lots-read-n.lua',
  keys: (k, a: { brandId: string; viewerIds: readonly string[] }) =>
    a.viewerIds.flatMap((viewerId) => {
      const p = pointsKeys(k, a.brandId, viewerId);
      return [p.points, p.old.lots];
    }),
  argv: () => [],
  parse: (replies: string[][]): Record<string, string>[] =>
    replies.map((flat) => {
      const lots: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) lots[flat[i]!] = flat[i + 1]!;
      return lots;
    }),
});

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

/** points-grant-6.lua: credits a grant once, within the per-stream cap; answers the points credited. */
export const pointsGrant = defineScript({
  file: 'points-grant-6.lua',
  keys: (k, a: GrantArgs) => {
    const b = brandPointsKeys(k, a.brandId);
    return [...pointsScriptKeys(k, a.brandId, a.viewerId), b.economy, b.holders];
  },
  argv: (a) => [a.grantId, a.mode, a.points, a.cappedStreamId, a.streamCap, a.now, a.expireDays, a.viewerId],
  parse: (credited: number) => credited,
});

/**
 * The grant shared by a batch of viewers (everything of GrantArgs but the viewer and the points).
 * olderLayoutGone: the deployment holds no points in the layout before (pointsLayoutKey is set), so each
 * viewer is named by its one hash alone, not with the older layout's three keys.
 */
export type BatchGrant = Omit<GrantArgs, 'viewerId' | 'points'> & { viewers: readonly { viewerId: string; points: number }[]; olderLayoutGone?: boolean };

/** points-grant-batch-n.lua: the same grant for many viewers of one brand in one call; answers the points credited to each. */
export const pointsGrantBatch = defineScript({
  file: 'points-grant-batch-n.lua',
  keys: (k, a: BatchGrant) => {
    const b = brandPointsKeys(k, a.brandId);
    const out = [b.economy, b.holders];
    if (a.olderLayoutGone) for (const { viewerId } of a.viewers) out.push(pointsKeys(k, a.brandId, viewerId).points);
    else for (const { viewerId } of a.viewers) out.push(...pointsScriptKeys(k, a.brandId, viewerId));
    return out;
  },
  argv: (a) => {
    const out: (string | number)[] = [a.grantId, a.mode, a.cappedStreamId, a.streamCap, a.now, a.expireDays, a.olderLayoutGone ? 1 : 4];
    for (const v of a.viewers) out.push(v.viewerId, v.points);
    return out;
  },
  parse: (credited: number[]) => credited,
});

/** points-fold-4.lua: folds one viewer's points of the layout before into the one hash; answers whether anything was left. */
export const pointsFold = defineScript({
  file: 'points-fold-4.lua',
  keys: (k, a: { brandId: string; viewerId: string }) => pointsScriptKeys(k, a.brandId, a.viewerId),
  argv: () => [],
  parse: (folded: number) => folded === 1,
});

export interface RedeemArgs {
  brandId: string;
  rewardId: string;
  viewerId: string;
  /** `<viewerId>|<rewardId>|<opId>`, or '' without an opId. */
  opField: string;
  redemptionId: string;
  /** Handed out when the reward is a coupon. */
  code: string;
  now: number;
  tiers: readonly { name: string; at: number }[];
}

export interface RedeemReply {
  id: string;
  /** The redemption's JSON record. */
  record: string;
  replay: boolean;
  /** The viewer's unexpired lots after it (expiry day, points), soonest first. */
  lots: { day: number; points: number }[];
}

/** points-redeem-12.lua: one redemption, checked and charged atomically; idempotent per op field. */
export const pointsRedeem = defineScript({
  file: 'points-redeem-12.lua',
  keys: (k, a: RedeemArgs) => {
    const p = pointsKeys(k, a.brandId, a.viewerId);
    const b = brandPointsKeys(k, a.brandId);
    const r = rewardKeys(k, a.brandId, a.rewardId);
    return [r.meta, r.claims, p.points, p.redemptions, b.redeemOps, b.redemptions, b.redemptionsByTime, b.economy, b.raffleTickets, p.old.lots, p.old.grants, p.old.streams];
  },
  argv: (a) => [a.viewerId, a.opField, a.redemptionId, a.code, a.now, ...a.tiers.flatMap((t) => [t.name, t.at])],
  refusals: { [-1]: 'reward_not_found', [-2]: 'reward_inactive', [-3]: 'reward_min_tier', [-4]: 'reward_limit', [-5]: 'reward_sold_out', [-6]: 'insufficient_points' },
  parse: (raw: [string, string, number, ...(string | number)[]]): RedeemReply => {
    const [id, record, replay, ...flat] = raw;
    const lots: RedeemReply['lots'] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) lots.push({ day: Number(flat[i]), points: Number(flat[i + 1]) });
    return { id, record, replay: replay === 1, lots };
  },
});

/** raffle-ticket-2.lua: spends (or gives back) a viewer's raffle ticket on one lottery, once per lottery. */
export const raffleTicket = defineScript({
  file: 'raffle-ticket-2.lua',
  keys: (k, a: { brandId: string; viewerId: string; lotteryId: string; now: number; mode: 'use' | 'refund' }) => {
    const b = brandPointsKeys(k, a.brandId);
    return [b.raffleTickets, b.raffleSpent];
  },
  argv: (a) => [a.viewerId, a.lotteryId, a.now, a.mode],
  parse: (done: number) => done === 1,
});
