import { defineScript } from '../redis/scripts.js';
import { activityKeys } from '../activity/activity.keys.js';
import { brandSummaryKeys } from '../summary/summary.keys.js';
import { scoringKeys } from '../scoring/scoring.keys.js';
import { referralKeys, streamReferralKeys } from './referrals.keys.js';

/** referral-code-2.lua: the viewer's code for the brand, the proposed one if they had none. */
export const referralCode = defineScript({
  file: 'referral-code-2.lua',
  keys: (k, a: { brandId: string; viewerId: string; proposed: string }) => {
    const r = referralKeys(k, a.brandId);
    return [r.codeOf, r.ownerOf];
  },
  argv: (a) => [a.viewerId, a.proposed],
  parse: (code: string) => code,
});

export const CREDIT_STATUSES = ['credited', 'credited_before', 'unknown_code', 'self', 'known', 'stream_cap', 'day_cap'] as const;
export type CreditStatus = (typeof CREDIT_STATUSES)[number];

export interface CreditArgs {
  brandId: string;
  code: string;
  referredId: string;
  streamId: string;
  now: number;
  maxPerStream: number;
  maxPerDay: number;
  /** The viewer has been in this stream before (a re-join). */
  rejoin: boolean;
}

/** referral-credit-8.lua: credits the code's owner for a new viewer once, or says why not. */
export const referralCredit = defineScript({
  file: 'referral-credit-8.lua',
  keys: (k, a: CreditArgs) => {
    const r = referralKeys(k, a.brandId);
    return [
      r.ownerOf,
      r.by,
      r.counts,
      r.perStream(a.streamId),
      r.perDay(Math.floor(a.now / 86_400_000)),
      brandSummaryKeys(k, a.brandId).firstSeen,
      scoringKeys(k, a.brandId).history,
      r.codeOf,
    ];
  },
  argv: (a) => [a.code, a.referredId, a.streamId, a.now, a.maxPerStream, a.maxPerDay, a.rejoin ? '1' : '0'],
  parse: ([status, referrerId, streamId]: [string, string, string]) => ({ status: status as CreditStatus, referrerId, streamId }),
});

/** referral-record-7.lua: the credit's record in its stream and the referrer's `referrals` activity, once. */
export const referralRecord = defineScript({
  file: 'referral-record-7.lua',
  keys: (k, a: { streamId: string; referredId: string; referrerId: string; now: number }) => {
    const s = streamReferralKeys(k, a.streamId);
    return [s.referred, s.top, ...activityKeys(k, a.streamId).ledger(a.referrerId)];
  },
  argv: (a) => [a.referredId, a.referrerId, a.now],
  parse: (recorded: number) => recorded === 1,
});
