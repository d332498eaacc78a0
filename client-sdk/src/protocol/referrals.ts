import { z } from 'zod';
import { Id, StreamId } from './common.js';

export const ReferralLink = z.object({ streamId: StreamId }).strict();

/** A referral code: the referrer's, for one brand (the same every time it is asked). */
export const ReferralCode = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a referral code');

/**
 * What a `room:join` with `ref` did, in the ack's `referral`: `credited` (the code's owner was credited for
 * this viewer), `known` (the brand already knew this viewer, or they were credited before), `self`,
 * `unknown_code`, or a cap of the referrer reached (`stream_cap`, `day_cap`).
 */
export const REFERRAL_STATUSES = ['credited', 'known', 'self', 'unknown_code', 'stream_cap', 'day_cap'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const referralRequests = {
  'referral:link': ReferralLink,
} as const;

export interface ReferralReplies {
  /**
   * The viewer's personal share link for the stream: `url` opens the stream's page with `?ref=<code>`; a
   * new viewer who joins with `room:join { ref: code }` credits the sharer once (docs/protocol.md, Referrals).
   */
  'referral:link': { code: string; url: string };
}

export interface ReferralPushes {
  /** To the referrer only (every tab): a new viewer joined through their link, and the points it earned. */
  'referral:credited': (e: { streamId: string; referredId: string; points: number; announcementId?: string }) => void;
}

/** `GET /api/brands/:brandId/referrals`: the brand's word of mouth, all time. */
export const ReferralReport = z.object({
  brandId: Id,
  /** Viewers credited to a referrer (each once). */
  referredViewers: z.number().int().nonnegative(),
  /** Referrers by viewers credited to them, most first (at most `limit`). */
  topReferrers: z.array(z.object({ viewerId: Id, referred: z.number().int().nonnegative() })),
});
export type ReferralReport = z.infer<typeof ReferralReport>;
export const ReferralReportQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }).strict();
