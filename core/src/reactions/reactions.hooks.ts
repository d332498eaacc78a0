import type { DomainFeature } from '../feature.js';
import { joinRead } from '../room/join-reads.js';
import { reactionTotals, startReactionFlushes } from './reactions.service.js';

/** Likes and other reactions: coalesced per node, totals to the room at most twice a second. */
export const reactionsHooks: DomainFeature = {
  name: 'reactions',
  onJoin: async (ctx, stream) => ({ reactions: await joinRead(ctx, stream.id, 'reactions', () => reactionTotals(ctx, stream.id)) }),
  start: startReactionFlushes,
};
