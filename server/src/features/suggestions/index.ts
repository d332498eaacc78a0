import type { Feature } from '../types.js';
import { suggestionsRoutes } from './suggestions.routes.js';

/** Suggestions for the streamer while live: the next product to pin, tonight's segment skew. */
export const suggestionsFeature: Feature = {
  name: 'suggestions',
  routes: suggestionsRoutes,
};
