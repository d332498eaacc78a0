import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { queueActivity } from '../activity/activity.store.js';
import type { ActivityMetric } from '../activity/activity.metrics.js';
import { brandBuyersKey, brandOrderKeys, orderIndexKey, streamOrderKeys } from './orders.keys.js';
import { orderClaim } from './orders.scripts.js';

/** Where an order is attributed; fixed by its first delivery. */
export interface OrderAttribution {
  orderId: string;
  viewerId: string;
  amountCents: number;
  currency: string;
  at: number;
  /** How the stream was found: the coupon's stream, the body's streamId, the viewer's latest join, or none. */
  by: 'coupon' | 'stream' | 'last_join' | 'none';
  streamId?: string;
  brandId?: string;
  couponCode?: string;
  /** The products bought, when the shop said (the pin suggestions' co-purchases). */
  productIds?: string[];
}

export class OrderStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Stores the attribution if this is the order's first delivery; returns the one that counts and whether it is ours. */
  async attribute(a: OrderAttribution): Promise<{ attribution: OrderAttribution; first: boolean }> {
    const key = orderIndexKey(this.keys, a.orderId);
    if (await this.redis.set(key, JSON.stringify(a), 'NX')) return { attribution: a, first: true };
    const raw = await this.redis.get(key);
    return { attribution: raw ? (JSON.parse(raw) as OrderAttribution) : a, first: false };
  }

  /** True: count it now; false: already counted. Refuses (conflict) while another delivery is counting it. */
  claim(streamId: string, orderId: string, now: number, leaseMs: number): Promise<boolean> {
    return orderClaim.run(this.redis, this.keys, { streamId, orderId, now, leaseMs });
  }

  /** The brand's per-viewer order history (ZADD/HSET: repeating it changes nothing). */
  async addToHistory(brandId: string, a: OrderAttribution): Promise<void> {
    const k = brandOrderKeys(this.keys, brandId, a.viewerId);
    await this.redis
      .multi()
      .zadd(k.history, a.at, a.orderId)
      .hset(k.amounts, a.orderId, JSON.stringify({ amountCents: a.amountCents, currency: a.currency, streamId: a.streamId ?? null }))
      .zadd(brandBuyersKey(this.keys, brandId), 'GT', a.at, a.viewerId)
      .exec();
  }

  /**
   * Counts the order in the stream's activity ledger and marks it counted, in one MULTI: either the
   * counts and the mark are both written or neither is, so a retry after a crash counts it exactly once.
   */
  async count(streamId: string, a: OrderAttribution, metrics: { metric: ActivityMetric; n: number }[]): Promise<void> {
    const m = this.redis.multi();
    for (const { metric, n } of metrics) queueActivity(m, this.keys, { streamId, viewerId: a.viewerId, metric, n, at: a.at });
    m.hset(streamOrderKeys(this.keys, streamId).orders, a.orderId, JSON.stringify(a));
    const res = await m.exec();
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw failed?.[0] ?? new Error('order count transaction aborted');
  }

  /** How many orders the viewer has placed with the brand (repeat purchases). */
  ordersOf(brandId: string, viewerId: string): Promise<number> {
    return this.redis.zcard(brandOrderKeys(this.keys, brandId, viewerId).history);
  }
}
