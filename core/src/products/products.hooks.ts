import { joinHook, type DomainFeature } from '../feature.js';
import { productStore, productsOnJoin } from './products.service.js';

/** Pinned product cards; a viewer's join is remembered for order attribution. */
export const productsHooks: DomainFeature = {
  name: 'products',
  join: joinHook({
    shared: (ctx, stream) => productStore(ctx).pinned(stream.id),
    part: (ctx, stream, user, _args, product) => productsOnJoin(ctx, stream, user, product),
  }),
};
