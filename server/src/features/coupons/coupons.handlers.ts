import { SOLD_OUT_ACK_PROTOCOL } from '@stickyroom/sdk/protocol';
import { defineHandler, STAFF, VIEWER } from '../../io/handler.js';
import { perContext } from '../../../../core/src/context.js';
import { toAckError } from '../../../../core/src/errors.js';
import { claimCoupon, dropCoupon, endDropByStaff } from '../../../../core/src/coupons/coupons.service.js';
import { LatchedRefusal } from '../../../../core/src/coupons/coupons.latch.js';
import { SoldOutTold } from './sold-out-told.js';

/** The sockets of this node a `sold_out` ack told of a drop's sell-out: its `coupon:ended` push leaves them out. */
export const soldOutTold = perContext((ctx) => new SoldOutTold(ctx.log));

export const couponHandlers = [
  defineHandler('coupon:drop', { roles: STAFF }, ({ ctx, user, now }, p) => dropCoupon(ctx, user, p, now)),
  defineHandler('coupon:claim', { roles: VIEWER }, async (call, p) => {
    const { claims } = call.ctx.metrics;
    try {
      const out = await claimCoupon(call.ctx, call.user, p, call.now, call.requireJoined);
      claims.inc({ outcome: 'code', latched: 'false' });
      return out;
    } catch (err) {
      const { code } = toAckError(err).error;
      claims.inc({ outcome: code, latched: err instanceof LatchedRefusal ? 'true' : 'false' });
      // a client of protocol 2 or later hears the sell-out from this ack; older ones keep getting the push
      if (code === 'sold_out' && call.socket.data.protocol >= SOLD_OUT_ACK_PROTOCOL) soldOutTold(call.ctx).tell(call.socket, p.dropId);
      throw err;
    }
  }),
  defineHandler('coupon:end', { roles: STAFF }, ({ ctx, user }, { dropId }) => endDropByStaff(ctx, user, dropId)),
];
