import { defineHandler, STAFF, VIEWER } from '../../io/handler.js';
import { toAckError } from '../../../../core/src/errors.js';
import { claimCoupon, dropCoupon, endDropByStaff } from '../../../../core/src/coupons/coupons.service.js';

export const couponHandlers = [
  defineHandler('coupon:drop', { roles: STAFF }, ({ ctx, user, now }, p) => dropCoupon(ctx, user, p, now)),
  defineHandler('coupon:claim', { roles: VIEWER }, async (call, p) => {
    const { claims } = call.ctx.metrics;
    try {
      const out = await claimCoupon(call.ctx, call.user, p, call.now, call.requireJoined);
      claims.inc({ outcome: 'code' });
      return out;
    } catch (err) {
      claims.inc({ outcome: toAckError(err).error.code });
      throw err;
    }
  }),
  defineHandler('coupon:end', { roles: STAFF }, ({ ctx, user }, { dropId }) => endDropByStaff(ctx, user, dropId)),
];
