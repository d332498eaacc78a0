import type { Feature } from '../types.js';
import { webhookRoutes } from './webhooks.routes.js';

/** Outbound webhooks over HTTP: a brand's endpoints, their delivery logs, redeliver. */
export const webhooksFeature: Feature = {
  name: 'webhooks',
  routes: webhookRoutes,
};
