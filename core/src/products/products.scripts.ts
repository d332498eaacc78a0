import { defineScript } from '../redis/scripts.js';
import { streamKeys } from '../streams/streams.keys.js';
import { productKeys } from './products.keys.js';

/** product-click-4.lua: counts a click on a product pinned in a live stream; answers the product's clicks. */
export const productClick = defineScript({
  file: 'product-click-4.lua',
  keys: (k, a: { streamId: string; productId: string; viewerId: string }) => {
    const p = productKeys(k, a.streamId);
    return [streamKeys(k, a.streamId).meta, p.catalog, p.clicks, p.clickers(a.productId)];
  },
  argv: (a) => [a.productId, a.viewerId],
  refusals: { [-1]: 'not_live', [-2]: 'product_not_pinned' },
  parse: (clicks: number) => clicks,
});
