import { defineHandler, STAFF, VIEWER } from '../../io/handler.js';
import { createLottery, drawAsStaff, enterLottery, streamOfLottery } from '../../../../core/src/lottery/lottery.service.js';

export const lotteryHandlers = [
  defineHandler('lottery:create', { roles: STAFF }, async ({ ctx, user, now }, payload) => {
    const l = await createLottery(ctx, user, payload, now);
    return { lottery: { id: l.id, commitment: l.commitment, endsAt: l.endsAt } };
  }),
  defineHandler('lottery:enter', { roles: VIEWER }, async (call, { lotteryId, nonce }) => {
    call.requireJoined(streamOfLottery(lotteryId));
    await enterLottery(call.ctx, call.user, lotteryId, { via: 'button', nonce, now: call.now });
    return nonce ? { nonce } : {};
  }),
  defineHandler('lottery:draw', { roles: STAFF }, async ({ ctx, user }, { lotteryId }) => ({
    result: await drawAsStaff(ctx, user, lotteryId),
  })),
];
