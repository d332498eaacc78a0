import type { DomainFeature } from '../feature.js';
import { endStreamDrops, openDrops, stockPusher } from './coupons.service.js';

/** Coupon drops (claim atomically, stock to the room at most 4 times a second) and reward coupons. */
export const couponsHooks: DomainFeature = {
  name: 'coupons',
  onJoin: async (ctx, stream) => ({ drops: await openDrops(ctx, stream.id) }),
  onStreamEnd: endStreamDrops,
  start: (ctx) => () => stockPusher(ctx).stop(),
};
