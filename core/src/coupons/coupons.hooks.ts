import { joinHook, type DomainFeature } from '../feature.js';
import { dropsFor, endStreamDrops, openDrops, stockPusher } from './coupons.service.js';

/** Coupon drops (claim atomically, stock to the room at most 4 times a second) and reward coupons. */
export const couponsHooks: DomainFeature = {
  name: 'coupons',
  join: joinHook({
    shared: (ctx, stream) => openDrops(ctx, stream.id),
    part: (_ctx, _stream, _user, { standing }, drops) => ({ drops: dropsFor(drops, standing) }),
  }),
  onStreamEnd: endStreamDrops,
  start: (ctx) => () => stockPusher(ctx).stop(),
};
