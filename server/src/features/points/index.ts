import type { Feature } from '../types.js';
import { pointsHandlers } from './points.handlers.js';

/** Loyalty points per brand: grants (idempotent, capped per stream), expiry, tiers, `points:get`. */
export const pointsFeature: Feature = {
  name: 'points',
  handlers: pointsHandlers,
};
