import { defineHandler, STAFF, VIEWER } from '../../io/handler.js';
import { answerSurvey, configureSurvey, pendingSurvey } from '../../../../core/src/survey/survey.service.js';

export const surveyHandlers = [
  defineHandler('stream:survey', { roles: STAFF }, async ({ ctx, user }, payload) => ({ survey: await configureSurvey(ctx, user, payload) })),
  // after the stream's end: the room is not needed (a viewer may answer from another page, days later)
  defineHandler('survey:answer', { roles: VIEWER }, async ({ ctx, user, now }, payload) => {
    await answerSurvey(ctx, user, payload, now);
    return {};
  }),
  defineHandler('survey:get', { roles: VIEWER }, async ({ ctx, user, now }, { streamId }) => pendingSurvey(ctx, user, streamId, now)),
];
