import type { Keys } from '../redis/keys.js';

/** STRING JSON OrderAttribution: the first delivery's attribution of an order; replays reuse it. */
export const orderIndexKey = (k: Keys, orderId: string) => k.lookup('order', orderId);

export const streamOrderKeys = (k: Keys, streamId: string) => ({
  /** HASH orderId -> `pending:<ms>` while being counted, then the JSON OrderRecord once counted. */
  orders: k.stream(streamId, 'orders'),
});

/** A viewer's purchases from one brand, for repeat-purchase scoring; all in the brand's slot. */
export const brandOrderKeys = (k: Keys, brandId: string, viewerId: string) => ({
  /** ZSET orderId -> order time (ms): the viewer's orders with the brand, in order. */
  history: k.brand(brandId, 'orders', viewerId),
  /** HASH orderId -> JSON { amountCents, currency, streamId }. */
  amounts: k.brand(brandId, 'orders', viewerId, 'amounts'),
});

/** ZSET viewerId -> last order time (ms): the brand's buyers. */
export const brandBuyersKey = (k: Keys, brandId: string) => k.brand(brandId, 'buyers');
