import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { newCouponCode, type CouponRecord } from './coupons.codes.js';
import { codeIndexKey, couponKeys } from './coupons.keys.js';
import { couponReward } from './coupons.scripts.js';

/**
 * Coupon codes: the global index (code -> stream) and the stream's record of each code.
 *
 * A code is written to the global index BEFORE the script that issues it runs. If the process dies in
 * between, the index holds a code nobody was given (harmless: the webhook also checks the stream's
 * record); the other order could leave a viewer holding a code no order could ever find.
 */
export class CouponCodeStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** A fresh code, already in the global index under `streamId`. */
  async propose(streamId: string): Promise<string> {
    for (;;) {
      const code = newCouponCode();
      if (await this.redis.set(codeIndexKey(this.keys, code), streamId, 'NX')) return code;
    }
  }

  /** Drops a proposed code the script did not issue (a refused claim, a retried one). Best effort. */
  async withdraw(code: string): Promise<void> {
    await this.redis.del(codeIndexKey(this.keys, code)).catch(() => undefined);
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

  /** Issues `record.code` for a reward unless the reward already has one; returns the viewer's code. */
  async issueReward(field: string, record: CouponRecord): Promise<string> {
    return couponReward.run(this.redis, this.keys, { field, record });
  }

  /** Marks a code redeemed by an order unless an earlier order did; returns the order that redeemed it. */
  async redeem(streamId: string, code: string, orderId: string): Promise<string> {
    const key = couponKeys(this.keys, streamId).redeemed;
    const res = await this.redis.multi().hsetnx(key, code, orderId).hget(key, code).exec();
    const first = res?.[1]?.[1];
    return typeof first === 'string' ? first : orderId;
  }
}
