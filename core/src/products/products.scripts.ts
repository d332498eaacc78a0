import { activityKeys } from '../activity/activity.keys.js';
import { defineScript } from '../redis/scripts.js';
import { streamKeys } from '../streams/streams.keys.js';
import { qaKeys } from '../qa/qa.keys.js';
import { productKeys } from './products.keys.js';

export interface ClickArgs {
  streamId: string;
  productId: string;
  viewerId: string;
  now: number;
  /** Most clicks one viewer is credited in the stream's ledger (CLICK_SCORE_CAP); the stream total counts all. */
  cap: number;
}

/** product-click-12.lua: counts a click on a product pinned in a live stream, and its activity record; answers the product's clicks. */
export const productClick = defineScript({
  file: 'product-click-12.lua',
  keys: (k, a: ClickArgs) => {
    const p = productKeys(k, a.streamId);
    const qa = qaKeys(k, a.streamId);
    return [
      streamKeys(k, a.streamId).meta,
      p.catalog,
      p.clicks,
      p.clickers(a.productId),
      ...activityKeys(k, a.streamId).ledger(a.viewerId),
      p.firstClicks(a.productId),
      qa.askPins,
      qa.clickedPinned,
    ];
  },
  argv: (a) => [a.productId, a.viewerId, a.now, a.cap],
  refusals: { [-1]: 'not_live', [-2]: 'product_not_pinned' },
  parse: (clicks: number) => clicks,
});
