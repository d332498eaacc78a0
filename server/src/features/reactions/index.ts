import type { Feature } from '../types.js';
import { reactionHandlers } from './reactions.handlers.js';
import { reactionTotals, startReactionFlushes } from '../../../../core/src/reactions/reactions.service.js';

/** Likes and other reactions: coalesced per node, totals to the room at most twice a second. */
export const reactionsFeature: Feature = {
  name: 'reactions',
  handlers: reactionHandlers,
  onJoin: async (ctx, stream) => ({ reactions: await reactionTotals(ctx, stream.id) }),
  start: startReactionFlushes,
};
