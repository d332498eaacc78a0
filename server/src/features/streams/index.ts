import type { Feature } from '../types.js';
import { streamHandlers } from './streams.handlers.js';
import { streamRoutes } from './streams.routes.js';

export const streamsFeature: Feature = {
  name: 'streams',
  handlers: streamHandlers,
  routes: streamRoutes,
};
