import type { Keys } from '../redis/keys.js';
import type { Tier } from '../stickiness/index.js';

/** Every stickiness key of one brand, in the brand's slot so one script applies a whole rollup batch. */
export const scoringKeys = (k: Keys, brandId: string) => ({
  /** HASH viewerId -> packed history: `<version>;<stream entry>;...` (see scoring.history.ts). */
  history: k.brand(brandId, 'sc', 'history'),
  /** HASH viewerId -> `<version>;<score>;<asOf>;<tier>;<streams>`: the rating computed from that history version. */
  ratings: k.brand(brandId, 'sc', 'ratings'),
  /**
   * ZSET per tier, viewerId -> board key (orders viewers by their score at any read time, see boardKey): each
   * rated viewer is in the board of their tier; a page of all viewers walks the four merged.
   */
  tier: (tier: Tier) => k.brand(brandId, 'sc', 'tier', tier),
  /** HASH streamId -> change sequence: how far each stream's ledger has been rolled up. */
  cursor: k.brand(brandId, 'sc', 'cursor'),
});

export type ScoringKeys = ReturnType<typeof scoringKeys>;

/**
 * Sorted sets the rollup wrote before pages became merged walks of the tier boards (every viewer by board key,
 * the pool of the new, engaged and loyal tiers, every viewer by latest stream start): nothing reads them;
 * the rollup deletes them, and a data-rights erasure still scrubs them in case it runs first.
 */
export const legacyScoringKeys = (k: Keys, brandId: string) => ({
  board: k.brand(brandId, 'sc', 'board'),
  riskPool: k.brand(brandId, 'sc', 'riskpool'),
  asOf: k.brand(brandId, 'sc', 'asof'),
});
