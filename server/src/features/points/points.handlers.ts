import { defineHandler, VIEWER } from '../../io/handler.js';
import { pointsBalance } from '../../../../core/src/points/points.service.js';

export const pointsHandlers = [
  defineHandler('points:get', { roles: VIEWER }, async ({ ctx, user }, { brandId }) => pointsBalance(ctx, brandId, user.id)),
];
