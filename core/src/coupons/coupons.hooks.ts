import type { DomainFeature } from '../feature.js';
import { joinRead } from '../room/join-reads.js';
import { codePool } from './coupons.code-pool.js';
import { endStreamDrops, openDrops, stockPusher } from './coupons.service.js';

/** Coupon drops (claim atomically, stock to the room at most 4 times a second) and reward coupons. */
export const couponsHooks: DomainFeature = {
  name: 'coupons',
  onJoin: async (ctx, stream) => ({ drops: await joinRead(ctx, stream.id, 'drops', () => openDrops(ctx, stream.id)) }),
  onStreamEnd: async (ctx, stream) => {
    await endStreamDrops(ctx, stream);
    await codePool(ctx).release(stream.id);
  },
  start: (ctx) => async () => {
    stockPusher(ctx).stop();
    await codePool(ctx).close();
  },
};
