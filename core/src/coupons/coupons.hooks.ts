import type { DomainFeature } from '../feature.js';
import { joinRead } from '../room/join-reads.js';
import { dropsFor, endStreamDrops, openDrops, stockPusher } from './coupons.service.js';

/** Coupon drops (claim atomically, stock to the room at most 4 times a second) and reward coupons. */
export const couponsHooks: DomainFeature = {
  name: 'coupons',
  onJoin: async (ctx, stream, _user, { standing }) => ({
    drops: dropsFor(await joinRead(ctx, stream.id, 'drops', () => openDrops(ctx, stream.id)), standing),
  }),
  onStreamEnd: endStreamDrops,
  start: (ctx) => () => stockPusher(ctx).stop(),
};
