import { z } from 'zod';
import { ScopedId, StreamId } from './common.js';
import { userText } from './text.js';
import { AudienceSchema, type Audience } from './audience.js';

/** `coupon:stock` reaches a room at most once per this interval per drop (4 times a second). */
export const STOCK_PUSH_INTERVAL_MS = 250;

/**
 * Why `coupon:claim` was refused with `not_eligible`, in `error.reason`: the viewer has not watched the
 * stream for the drop's `minWatchSec` yet (the message says how many seconds are missing), or the drop is
 * targeted (`audience`) at segments or tiers the viewer is not in (the message names both).
 */
export const COUPON_REFUSAL_REASONS = ['min_watch_time', 'audience'] as const;

export const Discount = z
  .object({ type: z.enum(['percent', 'amount']), value: z.number().positive().max(1_000_000) })
  .strict()
  .refine((d) => d.type !== 'percent' || d.value <= 100, { message: 'a percent discount is at most 100' });

/** A coupon as a reward (quiz winners, answered questions): no stock of its own. */
export const CouponSpec = z.object({ title: userText(120), discount: Discount }).strict();

export const CouponDrop = z
  .object({
    streamId: StreamId,
    title: userText(120),
    discount: Discount,
    quantity: z.number().int().min(1).max(1_000_000),
    perViewer: z.number().int().min(1).max(100).default(1),
    durationSec: z.number().int().min(1).max(24 * 3600),
    minWatchSec: z.number().int().min(0).max(24 * 3600).optional(),
    /** Only these viewers see and may claim the drop (docs/protocol.md, Targeting). */
    audience: AudienceSchema.optional(),
  })
  .strict();

export const CouponClaim = z
  .object({
    dropId: ScopedId,
    /** Client-chosen id of this claim attempt: a retry with the same id gets the same answer. */
    opId: z.string().min(1).max(64).optional(),
    /**
     * This is the first send of an `opId` the client made just now (no retry, no resend): it cannot be a
     * replay of a claim that went through, so a node that knows the drop sold out (or closed) may answer
     * it without asking Redis (docs/protocol.md, coupon:claim). Protocol 3 (FRESH_CLAIM_PROTOCOL).
     */
    fresh: z.literal(true).optional(),
  })
  .strict();
export const CouponEnd = z.object({ dropId: ScopedId }).strict();

export interface DropPublic {
  id: string;
  streamId: string;
  title: string;
  discount: { type: 'percent' | 'amount'; value: number };
  quantity: number;
  remaining: number;
  perViewer: number;
  endsAt: number;
  minWatchSec?: number;
  /** Set on a targeted drop: only viewers of this audience are shown it. */
  audience?: Audience;
}

export const couponRequests = {
  'coupon:drop': CouponDrop,
  'coupon:claim': CouponClaim,
  'coupon:end': CouponEnd,
} as const;

export interface CouponReplies {
  'coupon:drop': { drop: { id: string; remaining: number; endsAt: number } };
  'coupon:claim': { code: string; dropId: string };
  /** `claimed` coupons of `quantity`; ending an ended drop answers the same figures again. */
  'coupon:end': { claimed: number; remaining: number };
}

export interface CouponPushes {
  'coupon:dropped': (drop: DropPublic) => void;
  /**
   * Remaining stock, at most once per STOCK_PUSH_INTERVAL_MS per drop (less often in a room of over 1,000
   * sockets per node, at most every second), at the end of the interval in which it changed; the last
   * change always arrives, or `coupon:ended` (sold out) in its place.
   */
  'coupon:stock': (e: { dropId: string; streamId: string; remaining: number }) => void;
  /**
   * Once per drop: sold out (at most one stock interval after the last claim), window closed (`expired`),
   * or ended by the streamer or the stream's end.
   */
  'coupon:ended': (e: { dropId: string; streamId: string; reason: 'sold_out' | 'expired' | 'ended'; claimed: number }) => void;
}
