import type { Feature } from '../types.js';
import { pollHandlers } from './polls.handlers.js';

/** Live polls: create, vote, close. */
export const pollsFeature: Feature = {
  name: 'polls',
  handlers: pollHandlers,
};
