import type { Feature } from '../types.js';
import { productHandlers } from './products.handlers.js';
import { productsOnJoin } from '../../../../core/src/products/products.service.js';

/** Pinned product cards and their clicks; remembers each viewer's latest stream for order attribution. */
export const productsFeature: Feature = {
  name: 'products',
  handlers: productHandlers,
  onJoin: (ctx, stream, user) => productsOnJoin(ctx, stream, user),
};
