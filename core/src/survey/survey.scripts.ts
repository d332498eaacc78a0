import { activityKeys } from '../activity/activity.keys.js';
import { chatKeys } from '../chat/chat.keys.js';
import { defineScript } from '../redis/scripts.js';
import { surveyKeys } from './survey.keys.js';

/** survey-answer-5.lua: an eligible viewer's one answer within the window, its comment under chat's blocked words. */
export const surveyAnswer = defineScript({
  file: 'survey-answer-5.lua',
  keys: (k, a: { streamId: string; viewerId: string; score: number; now: number; answer: string; words: string }) => {
    const s = surveyKeys(k, a.streamId);
    return [s.survey, activityKeys(k, a.streamId).viewer(a.viewerId), s.answers, s.tally, chatKeys(k, a.streamId).blocked];
  },
  argv: (a) => [a.viewerId, a.score, a.now, a.answer, a.words],
  refusals: { [-1]: 'survey_not_open', [-2]: 'survey_closed', [-3]: 'survey_not_eligible', [-4]: 'survey_answered', [-5]: 'blocked_word' },
  parse: (_taken: 1) => undefined,
});
