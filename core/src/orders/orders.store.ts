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

/** An order in the brand's history of its buyer. */
export interface BrandOrderRecord {
  orderId: string;
  viewerId: string;
  /** Order time (ms). */
  at: number;
  amountCents: number;
  /** The stream it is attributed to. */
  streamId: string | null;
}

/** Buyers read per round trip by brandOrders. */
const ORDER_BATCH = 500;

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

  /**
   * The brand's attributed orders of these viewers (time, amount, stream), viewers who never bought skipped
   * after one ZMSCORE of the brand's buyers; one pipeline per batch of buyers, all in the brand's slot.
   */
  async brandOrders(brandId: string, viewerIds: readonly string[]): Promise<BrandOrderRecord[]> {
    const out: BrandOrderRecord[] = [];
    for (let i = 0; i < viewerIds.length; i += ORDER_BATCH) {
      const ids = viewerIds.slice(i, i + ORDER_BATCH);
      const last = await this.redis.zmscore(brandBuyersKey(this.keys, brandId), ...ids);
      const buyers = ids.filter((_, j) => last[j] !== null);
      if (buyers.length === 0) continue;
      const p = this.redis.pipeline();
      for (const id of buyers) {
        const k = brandOrderKeys(this.keys, brandId, id);
        p.zrange(k.history, 0, -1, 'WITHSCORES');
        p.hgetall(k.amounts);
      }
      const res = (await p.exec()) ?? [];
      buyers.forEach((viewerId, j) => {
        const [e1, times] = res[2 * j]!;
        const [e2, amounts] = res[2 * j + 1]!;
        if (e1 || e2) throw e1 ?? e2;
        const flat = times as string[];
        const at = new Map<string, number>();
        for (let x = 0; x < flat.length; x += 2) at.set(flat[x]!, Number(flat[x + 1]));
        for (const [orderId, raw] of Object.entries(amounts as Record<string, string>)) {
          const o = JSON.parse(raw) as { amountCents: number; streamId: string | null };
          out.push({ orderId, viewerId, at: at.get(orderId) ?? 0, amountCents: o.amountCents, streamId: o.streamId ?? null });
        }
      });
    }
    return out;
  }

  /** Each viewer's lifetime value with the brand: the sum of their attributed orders' amounts, in cents. */
  async lifetimeValueCents(brandId: string, viewerIds: readonly string[]): Promise<number[]> {
    const totals = new Map<string, number>(viewerIds.map((id) => [id, 0]));
    for (const o of await this.brandOrders(brandId, viewerIds)) totals.set(o.viewerId, totals.get(o.viewerId)! + o.amountCents);
    return viewerIds.map((id) => totals.get(id)!);
  }

  /** How many orders the viewer has placed with the brand (repeat purchases). */
  ordersOf(brandId: string, viewerId: string): Promise<number> {
    return this.redis.zcard(brandOrderKeys(this.keys, brandId, viewerId).history);
  }
}
