import type { Feature } from '../types.js';
import { summaryRoutes } from './summary.routes.js';

export const summaryFeature: Feature = {
  name: 'summary',
  routes: summaryRoutes,
};

export { dashboardRouter } from '../../pages/dashboard.page.js';
