import type { Feature } from '../types.js';
import { mechanicsRoutes } from './mechanics.routes.js';

/** What each mechanic is worth, over HTTP (the brand report carries the same figures). */
export const mechanicsFeature: Feature = {
  name: 'mechanics',
  routes: mechanicsRoutes,
};
