import type { Feature } from '../types.js';
import { qaHandlers } from './qa.handlers.js';

/** Audience questions: ask, upvote, answered (with an optional reward for the asker). */
export const qaFeature: Feature = {
  name: 'qa',
  handlers: qaHandlers,
};
