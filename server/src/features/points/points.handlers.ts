import { defineHandler, VIEWER } from '../../io/handler.js';
import { pointsBalance } from '../../../../core/src/points/points.service.js';
import { offeredRewards, redeemReward } from '../../../../core/src/points/points.rewards.js';

export const pointsHandlers = [
  defineHandler('points:get', { roles: VIEWER }, async ({ ctx, user }, { brandId }) => pointsBalance(ctx, brandId, user.id)),
  defineHandler('points:rewards', { roles: VIEWER }, async ({ ctx }, { brandId }) => ({ rewards: await offeredRewards(ctx, brandId) })),
  defineHandler('points:redeem', { roles: VIEWER }, async ({ ctx, user }, payload) => redeemReward(ctx, user, payload)),
];
