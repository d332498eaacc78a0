import { isCluster, type RedisClient } from '../redis/client.js';
import { hashTag } from '../redis/slot-batch.js';
import type { PinnedProduct } from '@stickyroom/sdk/protocol';
import type { Keys } from '../redis/keys.js';
import type { EventGate } from '../redis/event-gate.js';
import { lastJoinKey, productKeys } from './products.keys.js';
import { productClick, type ClickArgs } from './products.scripts.js';

export interface LastJoin {
  streamId: string;
  brandId: string;
  at: number;
}

export class ProductStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async pin(streamId: string, product: PinnedProduct | null): Promise<void> {
    const k = productKeys(this.keys, streamId);
    if (!product) {
      await this.redis.del(k.pinned);
      return;
    }
    const json = JSON.stringify(product);
    await this.redis.multi().set(k.pinned, json).hset(k.catalog, product.id, json).exec();
  }

  async pinned(streamId: string): Promise<PinnedProduct | null> {
    const raw = await this.redis.get(productKeys(this.keys, streamId).pinned);
    return raw ? (JSON.parse(raw) as PinnedProduct) : null;
  }

  /** Counts a click; returns the product's clicks. Refuses a stream not live or a product never pinned in it. */
  click(a: ClickArgs, gate?: EventGate): Promise<number> {
    return productClick.run(this.redis, this.keys, a, gate);
  }

  /** Per product of the stream: clicks and distinct clickers (HyperLogLog estimate, exact when small). */
  async clickStats(streamId: string): Promise<{ productId: string; clicks: number; clickers: number }[]> {
    const k = productKeys(this.keys, streamId);
    const clicks = await this.redis.hgetall(k.clicks);
    const ids = Object.keys(clicks);
    const p = this.redis.pipeline();
    for (const id of ids) p.pfcount(k.clickers(id));
    const res = (await p.exec()) ?? [];
    return ids.map((productId, i) => ({ productId, clicks: Number(clicks[productId]), clickers: Number(res[i]?.[1] ?? 0) }));
  }

  async setLastJoin(viewerId: string, j: LastJoin): Promise<void> {
    await this.redis.set(lastJoinKey(this.keys, viewerId), JSON.stringify(j));
  }

  /**
   * The last joins of many viewers (the joins of one moment) in one MSET on a single Redis; on a cluster, where
   * every viewer's key has a slot of its own, one MSET per slot. A viewer named twice keeps the later one.
   */
  async setLastJoins(joins: readonly (readonly [string, LastJoin])[]): Promise<void> {
    if (joins.length === 0) return;
    const args: string[] = [];
    for (const [viewerId, j] of joins) args.push(lastJoinKey(this.keys, viewerId), JSON.stringify(j));
    if (!isCluster(this.redis)) {
      await this.redis.mset(args);
      return;
    }
    const bySlot = new Map<string, string[]>();
    for (let i = 0; i < args.length; i += 2) {
      const tag = hashTag(args[i]!);
      const group = bySlot.get(tag);
      if (group) group.push(args[i]!, args[i + 1]!);
      else bySlot.set(tag, [args[i]!, args[i + 1]!]);
    }
    await Promise.all([...bySlot.values()].map((group) => this.redis.mset(group)));
  }

  async lastJoin(viewerId: string): Promise<LastJoin | null> {
    const raw = await this.redis.get(lastJoinKey(this.keys, viewerId));
    return raw ? (JSON.parse(raw) as LastJoin) : null;
  }
}
