import { leavePresence } from '../../../../core/src/presence/presence.service.js';
import type { Feature } from '../types.js';
import { presenceHandlers } from './presence.handlers.js';

/** Heartbeats; a socket that goes stops crediting watch time. */
export const presenceFeature: Feature = {
  name: 'presence',
  handlers: presenceHandlers,
  onDisconnect: (ctx, socket) => leavePresence(ctx, socket.data.user, socket.id),
};
