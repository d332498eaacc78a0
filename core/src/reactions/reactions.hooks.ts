import { joinHook, type DomainFeature } from '../feature.js';
import { reactionTotals, startReactionFlushes } from './reactions.service.js';

/** Likes and other reactions: coalesced per node, totals to the room at most twice a second. */
export const reactionsHooks: DomainFeature = {
  name: 'reactions',
  join: joinHook({
    // the part itself is the same for every join of the moment
    shared: async (ctx, stream) => ({ reactions: await reactionTotals(ctx, stream.id) }),
    part: (_ctx, _stream, _user, _args, part) => part,
  }),
  start: startReactionFlushes,
};
