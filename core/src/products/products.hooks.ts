import { joinHook, type DomainFeature } from '../feature.js';
import { productJoinPart, productsOnJoin } from './products.service.js';

/** Pinned product cards; a viewer's join is remembered for order attribution. */
export const productsHooks: DomainFeature = {
  name: 'products',
  join: joinHook({
    shared: (ctx, stream) => productJoinPart(ctx, stream.id),
    part: (ctx, stream, user, _args, part) => productsOnJoin(ctx, stream, user, part),
  }),
};
