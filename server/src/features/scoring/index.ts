import type { Feature } from '../types.js';
import { scoringRoutes } from './scoring.routes.js';

/** Stickiness over HTTP: the brand's leaderboard and viewer profiles. */
export const scoringFeature: Feature = {
  name: 'scoring',
  routes: scoringRoutes,
};
