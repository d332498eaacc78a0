import type { RedisClient } from '../redis/client.js';
import type { DropPublic } from '@stickyroom/sdk/protocol';
import type { Keys } from '../redis/keys.js';
import { ReplicatedCalls } from '../redis/replica-ack.js';
import { packAudience, parseAudience } from '../audience/audience.js';
import { couponKeys, dropKeys } from './coupons.keys.js';
import { couponClaim, couponEnd, couponRecode, couponStock, type ClaimArgs, type RecodeArgs } from './coupons.scripts.js';

export type DropEndReason = 'sold_out' | 'expired' | 'ended';

export interface DropRecord extends DropPublic {
  brandId: string;
  createdAt: number;
  status: 'open' | 'ended';
  endReason?: DropEndReason;
  endedAt?: number;
}

function parseDrop(h: Record<string, string>): DropRecord | null {
  if (!h.id || !h.streamId) return null;
  const d: DropRecord = {
    id: h.id,
    streamId: h.streamId,
    brandId: h.brandId ?? '',
    title: h.title ?? '',
    discount: { type: h.discountType === 'amount' ? 'amount' : 'percent', value: Number(h.discountValue) },
    quantity: Number(h.quantity),
    remaining: Number(h.remaining),
    perViewer: Number(h.perViewer),
    endsAt: Number(h.endsAt),
    createdAt: Number(h.createdAt),
    status: h.status === 'open' ? 'open' : 'ended',
  };
  if (h.minWatchSec && Number(h.minWatchSec) > 0) d.minWatchSec = Number(h.minWatchSec);
  const audience = parseAudience(h.audience);
  if (audience) d.audience = audience;
  if (h.endReason) d.endReason = h.endReason as DropEndReason;
  if (h.endedAt) d.endedAt = Number(h.endedAt);
  return d;
}

export function publicDrop(d: DropRecord): DropPublic {
  const p: DropPublic = {
    id: d.id,
    streamId: d.streamId,
    title: d.title,
    discount: d.discount,
    quantity: d.quantity,
    remaining: d.remaining,
    perViewer: d.perViewer,
    endsAt: d.endsAt,
  };
  if (d.minWatchSec !== undefined) p.minWatchSec = d.minWatchSec;
  if (d.audience) p.audience = d.audience;
  return p;
}

export class CouponStore {
  /** Claims acknowledged once a replica holds them (replica-ack.ts), on a Redis Cluster. */
  private readonly replicated: ReplicatedCalls | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    /**
     * On a Redis Cluster: how long a claim waits for a replica to hold it before it is acknowledged;
     * undefined on a single Redis, where no replica takes over.
     */
    replicaAckMs?: number,
  ) {
    this.replicated = replicaAckMs === undefined ? undefined : new ReplicatedCalls(redis, replicaAckMs);
  }

  /** Writes a new open drop (its id names its stream, see streams/scoped-id.ts). */
  async create(d: DropRecord): Promise<void> {
    const k = dropKeys(this.keys, d.streamId, d.id);
    const c = couponKeys(this.keys, d.streamId);
    await this.redis
      .multi()
      .hset(k.meta, {
        id: d.id,
        streamId: d.streamId,
        brandId: d.brandId,
        title: d.title,
        discountType: d.discount.type,
        discountValue: d.discount.value,
        quantity: d.quantity,
        remaining: d.remaining,
        perViewer: d.perViewer,
        minWatchSec: d.minWatchSec ?? 0,
        audience: packAudience(d.audience),
        createdAt: d.createdAt,
        endsAt: d.endsAt,
        status: 'open',
      })
      .zadd(c.open, d.endsAt, d.id)
      .zadd(c.all, d.createdAt, d.id)
      .exec();
  }

  /** The drop's audience ('' when untargeted) and quantity, both set once at creation; null when there is no such drop. */
  async audience(streamId: string, dropId: string): Promise<{ audience: string; quantity: number } | null> {
    const [id, audience, quantity] = await this.redis.hmget(dropKeys(this.keys, streamId, dropId).meta, 'id', 'audience', 'quantity');
    return id ? { audience: audience ?? '', quantity: Number(quantity) } : null;
  }

  async get(streamId: string, dropId: string): Promise<DropRecord | null> {
    return parseDrop(await this.redis.hgetall(dropKeys(this.keys, streamId, dropId).meta));
  }

  /** Drops of the stream not ended yet, soonest end first. */
  async open(streamId: string): Promise<DropRecord[]> {
    const ids = await this.redis.zrange(couponKeys(this.keys, streamId).open, 0, 99);
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(dropKeys(this.keys, streamId, id).meta);
    const res = (await p.exec()) ?? [];
    return res.flatMap(([err, h]) => {
      const d = err ? null : parseDrop(h as Record<string, string>);
      return d && d.status === 'open' ? [d] : [];
    });
  }

  /** One coupon for the viewer and its activity record (a retry with the same opId answers what the first call got); throws the refusal. */
  claim(a: ClaimArgs): Promise<ReturnType<typeof couponClaim.reply>> {
    if (this.replicated) return this.replicated.run(couponClaim, this.keys, a);
    return couponClaim.run(this.redis, this.keys, a);
  }

  /** Moves a claimed code to `fresh` (coupon-recode-2.lua), replicated like the claim on a cluster. */
  recode(a: RecodeArgs): Promise<string> {
    if (this.replicated) return this.replicated.run(couponRecode, this.keys, a);
    return couponRecode.run(this.redis, this.keys, a);
  }

  /** Tries an owed push: the remaining count or the sell-out's claimed count to push, 'none', or how long to wait before trying again. */
  stock(streamId: string, dropId: string, intervalMs: number): Promise<ReturnType<typeof couponStock.reply>> {
    return couponStock.run(this.redis, this.keys, { streamId, dropId, intervalMs });
  }

  /** Ends an open drop; `changed` only for the one call that ended it. Throws not_found for no such drop. */
  end(streamId: string, dropId: string, reason: 'expired' | 'ended', now: number): Promise<{ changed: boolean; quantity: number; remaining: number }> {
    return couponEnd.run(this.redis, this.keys, { streamId, dropId, reason, now });
  }

  async openIds(streamId: string): Promise<string[]> {
    return this.redis.zrange(couponKeys(this.keys, streamId).open, 0, -1);
  }
}
