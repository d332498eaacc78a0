import type { Feature } from '../types.js';
import { chatHandlers } from './chat.handlers.js';
import { chatRoutes } from './chat.routes.js';

export const chatFeature: Feature = {
  name: 'chat',
  handlers: chatHandlers,
  routes: chatRoutes,
};
