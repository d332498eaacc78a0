import type { PinnedProduct } from '@stickyroom/sdk/protocol';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { SlotBatch } from '../redis/slot-batch.js';
import { streamOrderKeys } from '../orders/orders.keys.js';
import type { OrderAttribution } from '../orders/orders.store.js';
import { productKeys } from '../products/products.keys.js';

/** What one earlier stream holds for the suggestions: its pinned products, who clicked each, and who bought what. */
export interface StreamProductEvidence {
  products: PinnedProduct[];
  clickedBy: Map<string, string[]>;
  /** productId -> viewers whose counted orders named it. */
  boughtBy: Map<string, string[]>;
}

export class SuggestionsStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** The products pinned in the stream (ids), tonight's set. */
  async pinnedIds(streamId: string): Promise<Set<string>> {
    return new Set(await this.redis.hkeys(productKeys(this.keys, streamId).catalog));
  }

  async evidence(streamId: string): Promise<StreamProductEvidence> {
    const p = productKeys(this.keys, streamId);
    const [catalog, orders] = await Promise.all([this.redis.hgetall(p.catalog), this.redis.hgetall(streamOrderKeys(this.keys, streamId).orders)]);
    const products = Object.values(catalog).map((json) => JSON.parse(json) as PinnedProduct);
    const batch = new SlotBatch(this.redis);
    for (const product of products) batch.for(p.catalog).zrange(p.firstClicks(product.id), 0, -1);
    const replies = products.length ? await batch.exec() : [];
    const clickedBy = new Map(products.map((product, i) => [product.id, (replies[i]?.[1] as string[] | undefined) ?? []]));
    const boughtBy = new Map<string, string[]>();
    for (const raw of Object.values(orders)) {
      // `pending:<ms>` while a delivery is counting the order: not counted yet
      if (!raw.startsWith('{')) continue;
      const order = JSON.parse(raw) as OrderAttribution;
      for (const id of order.productIds ?? []) {
        const list = boughtBy.get(id) ?? [];
        list.push(order.viewerId);
        boughtBy.set(id, list);
      }
    }
    return { products, clickedBy, boughtBy };
  }
}
