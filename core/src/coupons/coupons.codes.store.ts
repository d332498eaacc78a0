import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { newCouponCode, type CouponRecord } from './coupons.codes.js';
import { codeIndexKey, couponKeys } from './coupons.keys.js';
import { couponRecode, couponReward, type RecodeArgs } from './coupons.scripts.js';

/**
 * Coupon codes: the global index (code -> stream) and the stream's record of each code.
 *
 * A code is issued first, by a script in its stream's slot (a drop's claim, a reward), and written to the
 * global index (another slot) after, before anyone is told it: `index` below. So a refused claim reserves
 * nothing, and a claim is one round trip for the losers. If the process dies in between, the stream's
 * record holds a code nobody was told; a retry with the same opId (or the same reward) is answered that
 * code by the script and indexes it before answering, so a code a viewer holds is always in the index.
 *
 * An index entry is only ever written for a code its stream's record holds, and a stream's record holds
 * each code once (the scripts refuse to issue a code twice), so an entry naming this stream is this very
 * code's. An entry naming another stream is a collision of 60 random bits: the holder is given another
 * code (coupon-recode-2.lua) before being told either, and the other stream's code is left alone.
 */
export class CouponCodeStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** A fresh random code, not yet issued nor indexed. */
  newCode(): string {
    return newCouponCode();
  }

  /**
   * Puts `code`, issued in `streamId`'s record, in the global index, and answers the code to tell its holder:
   * `code` itself, or, if the index gives `code` to another stream, the one `recode` moved the holder to
   * (recode answers the holder's code now, or '' when the fresh code is this stream's already).
   */
  async index(streamId: string, code: string, recode: (old: string, fresh: string) => Promise<string>): Promise<string> {
    for (;;) {
      // SET NX GET: null when written now, else the stream the entry already names
      const owner = await this.redis.set(codeIndexKey(this.keys, code), streamId, 'NX', 'GET');
      if (owner === null || owner === streamId) return code;
      let moved = '';
      while (!moved) moved = await recode(code, this.newCode());
      code = moved;
    }
  }

  /** The code's stream and what it was issued for, or null for a code we never issued. */
  async find(code: string): Promise<CouponRecord | null> {
    const streamId = await this.redis.get(codeIndexKey(this.keys, code));
    if (!streamId) return null;
    const raw = await this.redis.hget(couponKeys(this.keys, streamId).codes, code);
    return raw ? (JSON.parse(raw) as CouponRecord) : null;
  }

  async rewardCode(streamId: string, field: string): Promise<string | null> {
    return this.redis.hget(couponKeys(this.keys, streamId).rewards, field);
  }

  /** Issues `record.code` for a reward unless the reward already has one; returns the viewer's code ('' if `record.code` is the stream's already). */
  async issueReward(field: string, record: CouponRecord): Promise<string> {
    return couponReward.run(this.redis, this.keys, { field, record });
  }

  /** Moves a held code's record to `fresh` (see coupon-recode-2.lua); for `index`'s recode of a reward. */
  recode(a: RecodeArgs): Promise<string> {
    return couponRecode.run(this.redis, this.keys, a);
  }

  /** Marks a code redeemed by an order unless an earlier order did; returns the order that redeemed it. */
  async redeem(streamId: string, code: string, orderId: string): Promise<string> {
    const key = couponKeys(this.keys, streamId).redeemed;
    const res = await this.redis.multi().hsetnx(key, code, orderId).hget(key, code).exec();
    const first = res?.[1]?.[1];
    return typeof first === 'string' ? first : orderId;
  }
}
