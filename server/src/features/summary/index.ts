import type { Feature } from '../types.js';
import { summaryRoutes } from './summary.routes.js';

/** The post-stream summary over HTTP (JSON, CSV, finalize now). */
export const summaryFeature: Feature = {
  name: 'summary',
  routes: summaryRoutes,
};
