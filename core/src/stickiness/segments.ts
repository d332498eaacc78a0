import { SEGMENTS, type Segment } from '@stickyroom/sdk/protocol';
import type { Rating } from './formula.js';
import type { ScoringParams } from './params.js';

/** What a segment is, at a read time (the list is the protocol's); docs/scoring.md explains each. */
export { SEGMENTS, type Segment };

/** The part of the segment fixed by the history alone (no clock): stored with the score. */
export const TIERS = ['new', 'casual', 'engaged', 'loyal'] as const satisfies readonly Segment[];
export type Tier = (typeof TIERS)[number];

/** Tiers whose viewers turn at-risk when they stay away (casual viewers go straight to dormant). */
export const AT_RISK_TIERS: readonly Tier[] = ['new', 'engaged', 'loyal'];

export function tierOf(r: Pick<Rating, 'score' | 'streams'>, p: ScoringParams): Tier {
  if (r.streams <= 1) return 'new';
  if (r.score >= p.loyalAt && r.streams >= p.loyalStreams) return 'loyal';
  if (r.score >= p.engagedAt) return 'engaged';
  return 'casual';
}

/** The segment at `now`: the tier, unless the viewer has been away long enough to be at-risk or dormant. */
export function segmentAt(r: Pick<Rating, 'score' | 'streams' | 'asOf'>, now: number, p: ScoringParams): Segment {
  const away = now - r.asOf;
  if (away >= p.dormantMs) return 'dormant';
  const tier = tierOf(r, p);
  if (away >= p.atRiskMs && AT_RISK_TIERS.includes(tier)) return 'at-risk';
  return tier;
}

/** Counts per segment (every segment present, zero when empty). */
export function segmentCounts(segments: Iterable<Segment>): Record<Segment, number> {
  const out = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
  for (const s of segments) out[s]++;
  return out;
}
