import type { Feature } from '../types.js';
import { reactionHandlers } from './reactions.handlers.js';

/** Likes and other reactions. */
export const reactionsFeature: Feature = {
  name: 'reactions',
  handlers: reactionHandlers,
};
