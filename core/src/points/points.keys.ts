import type { Keys } from '../redis/keys.js';

/** One viewer's loyalty points with one brand; every key in the brand's slot. */
export const pointsKeys = (k: Keys, brandId: string, viewerId: string) => ({
  /** HASH expiry day (floor(expiresAtMs / 86400000)) -> points: lots that expire at the end of that UTC day. */
  lots: k.brand(brandId, 'points', viewerId, 'lots'),
  /** HASH grant id (`<source>:<sourceId>`, `watch:<streamId>`) -> points credited: what makes grants idempotent. */
  grants: k.brand(brandId, 'points', viewerId, 'grants'),
  /** HASH streamId -> points earned in that stream from capped sources (everything but orders). */
  streams: k.brand(brandId, 'points', viewerId, 'streams'),
});
