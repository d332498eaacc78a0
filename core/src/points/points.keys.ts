import type { Keys } from '../redis/keys.js';

/** One viewer's loyalty points with one brand; every key in the brand's slot. */
export const pointsKeys = (k: Keys, brandId: string, viewerId: string) => ({
  /** HASH expiry day (floor(expiresAtMs / 86400000)) -> points: lots that expire at the end of that UTC day. */
  lots: k.brand(brandId, 'points', viewerId, 'lots'),
  /** HASH grant id (`<source>:<sourceId>`, `watch:<streamId>`) -> points credited: what makes grants idempotent. */
  grants: k.brand(brandId, 'points', viewerId, 'grants'),
  /** HASH streamId -> points earned in that stream from capped sources (everything but orders). */
  streams: k.brand(brandId, 'points', viewerId, 'streams'),
  /** LIST of the viewer's redemption ids, newest first. */
  redemptions: k.brand(brandId, 'points', viewerId, 'redemptions'),
});

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
