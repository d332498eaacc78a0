import type { Feature } from '../types.js';
import { orderWebhookRoutes } from './orders.routes.js';

/** The signed order webhook: counts each order once and attributes it to a stream and a viewer. */
export const ordersFeature: Feature = {
  name: 'orders',
  rawBodyRoutes: orderWebhookRoutes,
};
