import { joinHook, type DomainFeature } from '../feature.js';
import { endPresence, joinPresence, startStatsPushes } from './presence.service.js';

/** Presence, watch time and live counts (`room:stats`). */
export const presenceHooks: DomainFeature = {
  name: 'presence',
  join: joinHook({ part: (ctx, stream, user) => joinPresence(ctx, stream, user) }),
  onStreamEnd: endPresence,
  start: startStatsPushes,
};
