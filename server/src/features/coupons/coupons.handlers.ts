import { defineHandler, STAFF, VIEWER } from '../../io/handler.js';
import { claimCoupon, dropCoupon, endDropByStaff } from '../../../../core/src/coupons/coupons.service.js';

export const couponHandlers = [
  defineHandler('coupon:drop', { roles: STAFF }, ({ ctx, user, now }, p) => dropCoupon(ctx, user, p, now)),
  defineHandler('coupon:claim', { roles: VIEWER }, (call, p) => claimCoupon(call.ctx, call.user, p, call.now, call.requireJoined)),
  defineHandler('coupon:end', { roles: STAFF }, ({ ctx, user }, { dropId }) => endDropByStaff(ctx, user, dropId)),
];
