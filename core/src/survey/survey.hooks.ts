import type { DomainFeature } from '../feature.js';
import { openSurveyAtEnd } from './survey.service.js';

/** The post-stream survey: opened at the stream's end (after presence credited the last watch time). */
export const surveyHooks: DomainFeature = {
  name: 'survey',
  onStreamEnd: openSurveyAtEnd,
};
