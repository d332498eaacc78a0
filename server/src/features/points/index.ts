import type { Feature } from '../types.js';
import { pointsHandlers } from './points.handlers.js';
import { pointsRoutes } from './points.routes.js';

/**
 * Loyalty points per brand: grants (idempotent, capped per stream), expiry, tiers, `points:get`; the
 * brand's rewards catalog (HTTP), `points:rewards` / `points:redeem`, and the points economy.
 */
export const pointsFeature: Feature = {
  name: 'points',
  handlers: pointsHandlers,
  routes: pointsRoutes,
};
