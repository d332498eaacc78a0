import type { Keys } from '../redis/keys.js';

export const productKeys = (k: Keys, streamId: string) => ({
  /** STRING JSON Product: the product pinned now (absent when none). */
  pinned: k.stream(streamId, 'product', 'pinned'),
  /** HASH productId -> JSON Product: every product pinned in the stream (clicks count only for these). */
  catalog: k.stream(streamId, 'product', 'catalog'),
  /** HASH productId -> clicks (every click). */
  clicks: k.stream(streamId, 'product', 'clicks'),
  /** HyperLogLog of the viewers who clicked one product. */
  clickers: (productId: string) => k.stream(streamId, 'product', 'clickers', productId),
  /** ZSET viewerId -> ms of the viewer's first click on one product: who a pin touched (core/src/mechanics). */
  firstClicks: (productId: string) => k.stream(streamId, 'product', 'firstClicks', productId),
});

/**
 * STRING JSON { streamId, brandId, at }: the stream a viewer most recently joined, so an order without a
 * coupon or a stream id is attributed to the stream the viewer was watching.
 */
export const lastJoinKey = (k: Keys, viewerId: string) => k.lookup('lastjoin', viewerId);
