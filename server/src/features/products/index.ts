import type { Feature } from '../types.js';
import { productHandlers } from './products.handlers.js';

/** Pinned product cards and their clicks. */
export const productsFeature: Feature = {
  name: 'products',
  handlers: productHandlers,
};
