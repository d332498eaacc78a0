import type { Keys } from '../redis/keys.js';

/** One viewer's loyalty points with one brand; every key in the brand's slot. */
export const pointsKeys = (k: Keys, brandId: string, viewerId: string) => ({
  /**
   * HASH, everything the grants and redemptions keep of the viewer's points, in one key (one key per viewer,
   * not three: a rollup creates it for every watcher):
   * - `l:<day>` -> points: the lot that expires at the end of that UTC day (day = floor(expiresAtMs / 86400000));
   * - `g:<grantId>` -> points credited by that grant (`<source>:<sourceId>`, `watch:<streamId>`): what makes
   *   grants idempotent;
   * - `s:<streamId>` -> points earned in that stream from capped sources (everything but orders);
   * - `_` -> 1: written with every change, so a script knows the viewer's older keys (`old` below) were
   *   already folded in without looking for them.
   * See points-layout.include.lua.
   */
  points: k.brand(brandId, 'pts', viewerId),
  /**
   * The layout before: three hashes per viewer (lots: day -> points, grants: grantId -> points, streams:
   * streamId -> points). Never written any more: the first rollup of a deployment folds every viewer's into
   * `points` (foldOlderPoints), and so does, before that, the first grant or redemption of the viewer; readers
   * add what they still hold.
   */
  old: {
    lots: k.brand(brandId, 'points', viewerId, 'lots'),
    grants: k.brand(brandId, 'points', viewerId, 'grants'),
    streams: k.brand(brandId, 'points', viewerId, 'streams'),
  },
  /** LIST of the viewer's redemption ids, newest first. */
  redemptions: k.brand(brandId, 'points', viewerId, 'redemptions'),
});

/** The four keys of a viewer's points a script that changes them is given: the hash, then the older layout's three (folded in first). */
export const pointsScriptKeys = (k: Keys, brandId: string, viewerId: string): [string, string, string, string] => {
  const p = pointsKeys(k, brandId, viewerId);
  return [p.points, p.old.lots, p.old.grants, p.old.streams];
};

/** The brand's points ledger and catalog of rewards; every key in the brand's slot. */
export const brandPointsKeys = (k: Keys, brandId: string) => ({
  /**
   * HASH, the points economy by UTC day (floor(ms / 86400000)): `i:<day>` points credited that day,
   * `r:<day>` points spent on rewards, `n:<day>` redemptions, `x:<day>` points still in lots that expire at
   * the end of that day (credited into them, minus what redemptions spent from them): once the day is
   * over, what expired. Written by the grant and redeem scripts in the step that changes the points.
   */
  economy: k.brand(brandId, 'points', 'economy'),
  /** ZSET viewerId -> first grant ms: every viewer who ever held points with the brand. */
  holders: k.brand(brandId, 'points', 'holders'),
  /** ZSET rewardId -> createdAt: the brand's catalog. */
  rewards: k.brand(brandId, 'rewards'),
  /** HASH `<viewerId>|<rewardId>|<opId>` -> redemption id: a retried redemption answers the first one. */
  redeemOps: k.brand(brandId, 'redeem', 'ops'),
  /** HASH redemption id -> JSON RedemptionRecord. */
  redemptions: k.brand(brandId, 'redemptions'),
  /** ZSET redemption id -> at: the brand's redemptions in time order (summary, economy). */
  redemptionsByTime: k.brand(brandId, 'redemptions', 'byTime'),
  /** HASH viewerId -> raffle tickets redeemed and not yet spent on a lottery of the brand. */
  raffleTickets: k.brand(brandId, 'raffle', 'tickets'),
  /** HASH `<viewerId>|<lotteryId>` -> ms: the raffle ticket a viewer spent on a lottery of the brand (one per lottery). */
  raffleSpent: k.brand(brandId, 'raffle', 'spent'),
});

export const rewardKeys = (k: Keys, brandId: string, rewardId: string) => ({
  /** HASH id, brandId, title, kind, cost, stock, redeemed, perViewer, minTier, active (1|0), createdAt. */
  meta: k.brand(brandId, 'reward', rewardId),
  /** HASH viewerId -> redemptions of this reward. */
  claims: k.brand(brandId, 'reward', rewardId, 'claims'),
});

/**
 * STRING '1' once every viewer's points of the deployment are in the one-hash layout (pointsKeys): set by
 * foldOlderPoints (points.service.ts) after it folded whatever the layout before left. The rollup's watch
 * top-ups then name one key per viewer instead of four.
 */
export const pointsLayoutKey = (k: Keys) => k.global('points', 'layout');
