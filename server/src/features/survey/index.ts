import type { Feature } from '../types.js';
import { surveyHandlers } from './survey.handlers.js';
import { surveyRoutes } from './survey.routes.js';

/** The post-stream survey: settings, answers, the brand's read of the answers. */
export const surveyFeature: Feature = {
  name: 'survey',
  handlers: surveyHandlers,
  routes: surveyRoutes,
};
