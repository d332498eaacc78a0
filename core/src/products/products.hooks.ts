import type { DomainFeature } from '../feature.js';
import { productsOnJoin } from './products.service.js';

/** Pinned product cards; a viewer's join is remembered for order attribution. */
export const productsHooks: DomainFeature = {
  name: 'products',
  onJoin: (ctx, stream, user) => productsOnJoin(ctx, stream, user),
};
