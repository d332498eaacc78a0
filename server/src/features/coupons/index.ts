import type { Feature } from '../types.js';
import { couponHandlers } from './coupons.handlers.js';
import { endStreamDrops, openDrops, stockPusher } from '../../../../core/src/coupons/coupons.service.js';

/** Coupon drops (claim atomically, stock to the room at most 4 times a second) and reward coupons. */
export const couponsFeature: Feature = {
  name: 'coupons',
  handlers: couponHandlers,
  onJoin: async (ctx, stream) => ({ drops: await openDrops(ctx, stream.id) }),
  onStreamEnd: endStreamDrops,
  start: (ctx) => () => stockPusher(ctx).stop(),
};
