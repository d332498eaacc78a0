import type { Feature } from '../types.js';
import { exportsRoutes } from './exports.routes.js';

/** The brand's data in its own hands: streamed exports and the data-rights routes. */
export const exportsFeature: Feature = {
  name: 'exports',
  routes: exportsRoutes,
};
