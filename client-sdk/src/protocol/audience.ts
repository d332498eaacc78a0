import { z } from 'zod';
import { Segment } from './metrics.js';

/** A loyalty tier name of POINTS_TIERS (`bronze`, `silver`, `gold` by default). */
export const LoyaltyTierName = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a tier name of POINTS_TIERS');

/**
 * Who a coupon drop, a lottery or a poll is for: viewers of these stickiness segments and/or these
 * loyalty tiers. A filter left out admits everyone; with both, a viewer must match both. The segment is
 * the viewer's segment with the brand when the stream started (docs/scoring.md), so it does not change
 * during the stream; a viewer the brand never rated counts as `new`. The tier is the viewer's points tier.
 *
 * @example { segments: ['at-risk', 'dormant'] } // a win-back drop
 * @example { segments: ['loyal'], tiers: ['gold'] }
 */
export const AudienceSchema = z
  .object({
    segments: z.array(Segment).min(1).max(6).optional(),
    tiers: z.array(LoyaltyTierName).min(1).max(16).optional(),
  })
  .strict()
  .refine((a) => a.segments !== undefined || a.tiers !== undefined, { message: 'an audience names segments, tiers or both' });
export type Audience = z.infer<typeof AudienceSchema>;

/** Why a targeted item refused a viewer with `not_eligible`, in `error.reason`. */
export const AUDIENCE_REFUSAL_REASON = 'audience';
