import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { presenceKeys } from '../presence/presence.keys.js';
import { referralKeys, streamReferralKeys } from './referrals.keys.js';
import { referralCode, referralCredit, referralRecord, type CreditArgs, type CreditStatus } from './referrals.scripts.js';

/** The only code touching the referral keys and scripts. */
export class ReferralStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  code(brandId: string, viewerId: string, proposed: string): Promise<string> {
    return referralCode.run(this.redis, this.keys, { brandId, viewerId, proposed });
  }

  /** Whether the viewer has joined this stream before (its exact unique-viewer set). */
  async joinedBefore(streamId: string, viewerId: string): Promise<boolean> {
    return (await this.redis.zscore(presenceKeys(this.keys, streamId).unique, viewerId)) !== null;
  }

  credit(a: CreditArgs): Promise<{ status: CreditStatus; referrerId: string; streamId: string }> {
    return referralCredit.run(this.redis, this.keys, a);
  }

  record(a: { streamId: string; referredId: string; referrerId: string; now: number }): Promise<boolean> {
    return referralRecord.run(this.redis, this.keys, a);
  }

  /** The viewers a stream brought in, and its referrers by count (most first, at most `top`). */
  async streamReferrals(streamId: string, top: number): Promise<{ referred: number; topReferrers: { viewerId: string; referred: number }[] }> {
    const k = streamReferralKeys(this.keys, streamId);
    const [referred, flat] = await Promise.all([this.redis.hlen(k.referred), this.redis.zrevrange(k.top, 0, top - 1, 'WITHSCORES')]);
    return { referred, topReferrers: pairs(flat) };
  }

  /** The brand's credited viewers and its referrers by referrals credited, all time. */
  async brandReferrals(brandId: string, top: number): Promise<{ referred: number; topReferrers: { viewerId: string; referred: number }[] }> {
    const k = referralKeys(this.keys, brandId);
    const [referred, flat] = await Promise.all([this.redis.hlen(k.by), this.redis.zrevrange(k.counts, 0, top - 1, 'WITHSCORES')]);
    return { referred, topReferrers: pairs(flat) };
  }
}

function pairs(flat: string[]): { viewerId: string; referred: number }[] {
  const out: { viewerId: string; referred: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ viewerId: flat[i]!, referred: Number(flat[i + 1]) });
  return out;
}
