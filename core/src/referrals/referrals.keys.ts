import type { Keys } from '../redis/keys.js';

/** A brand's referral records; every key in the brand's slot so one script decides a credit. */
export const referralKeys = (k: Keys, brandId: string) => ({
  /** HASH viewerId -> their referral code for the brand. */
  codeOf: k.brand(brandId, 'ref', 'code'),
  /** HASH code -> viewerId: whose link a code is. */
  ownerOf: k.brand(brandId, 'ref', 'owner'),
  /** HASH referred viewerId -> `<referrerId>|<streamId>|<ms>`: each viewer is credited to one referrer, once. */
  by: k.brand(brandId, 'ref', 'by'),
  /** ZSET referrerId -> referrals credited (all time): the brand's best referrers. */
  counts: k.brand(brandId, 'ref', 'counts'),
  /** HASH referrerId -> referrals credited in one stream (REFERRAL_MAX_PER_STREAM); expires 30 days after its last credit. */
  perStream: (streamId: string) => k.brand(brandId, 'ref', 'stream', streamId),
  /** HASH referrerId -> referrals credited on one UTC day (REFERRAL_MAX_PER_DAY); expires after two days. */
  perDay: (day: number) => k.brand(brandId, 'ref', 'day', String(day)),
});

/** A stream's referrals, in the stream's slot (the summary reads them with the stream's other figures). */
export const streamReferralKeys = (k: Keys, streamId: string) => ({
  /** HASH referred viewerId -> referrerId: the viewers this stream brought in. */
  referred: k.stream(streamId, 'ref', 'referred'),
  /** ZSET referrerId -> viewers they brought into this stream. */
  top: k.stream(streamId, 'ref', 'top'),
});
