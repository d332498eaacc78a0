/** A loyalty tier of a brand's points (POINTS_TIERS), not a stickiness tier (segments.ts). */
export interface LoyaltyTier {
  name: string;
  /** Balance from which the tier holds. */
  at: number;
}

/** Parses POINTS_TIERS (`bronze:0,silver:500,gold:2000`, validated by the config schema). */
export function parseLoyaltyTiers(spec: string): LoyaltyTier[] {
  return spec.split(',').map((part) => {
    const [name = '', at = '0'] = part.split(':');
    return { name, at: Number(at) };
  });
}

/** The tier a balance earns and the next one up, if any. */
export function loyaltyTierFor(tiers: readonly LoyaltyTier[], balance: number): { tier: string; next?: LoyaltyTier } {
  let i = 0;
  while (i + 1 < tiers.length && balance >= tiers[i + 1]!.at) i++;
  const next = tiers[i + 1];
  return next ? { tier: tiers[i]!.name, next } : { tier: tiers[i]!.name };
}
