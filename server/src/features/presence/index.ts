import type { Feature } from '../types.js';
import { presenceHandlers } from './presence.handlers.js';
import { endPresence, joinPresence, leavePresence, startStatsPushes } from '../../../../core/src/presence/presence.service.js';

/** Presence, watch time and live counts (`room:stats`). */
export const presenceFeature: Feature = {
  name: 'presence',
  handlers: presenceHandlers,
  onJoin: (ctx, stream, user) => joinPresence(ctx, stream, user),
  onDisconnect: leavePresence,
  onStreamEnd: endPresence,
  start: startStatsPushes,
};
