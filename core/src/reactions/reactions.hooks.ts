import type { DomainFeature } from '../feature.js';
import { reactionTotals, startReactionFlushes } from './reactions.service.js';

/** Likes and other reactions: coalesced per node, totals to the room at most twice a second. */
export const reactionsHooks: DomainFeature = {
  name: 'reactions',
  onJoin: async (ctx, stream) => ({ reactions: await reactionTotals(ctx, stream.id) }),
  start: startReactionFlushes,
};
