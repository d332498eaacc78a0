import type { Feature } from '../types.js';
import { reportRoutes } from './report.routes.js';

/** The brand report over HTTP (JSON, CSV tables). */
export const reportFeature: Feature = {
  name: 'report',
  routes: reportRoutes,
};
