import { defineHandler, STAFF, VIEWER } from '../../io/handler.js';
import { controlledStream } from '../../../../core/src/streams/streams.service.js';
import { askQuestion, markAnswered, streamOfQuestion, upvoteQuestion } from '../../../../core/src/qa/qa.service.js';

export const qaHandlers = [
  defineHandler('qa:ask', { roles: VIEWER }, async (call, { streamId, text }) => {
    call.requireJoined(streamId);
    return { question: await askQuestion(call.ctx, call.user, streamId, text, call.now) };
  }),
  defineHandler('qa:upvote', { roles: VIEWER }, async (call, { questionId }) => {
    const streamId = streamOfQuestion(questionId);
    call.requireJoined(streamId);
    return { votes: await upvoteQuestion(call.ctx, call.user, streamId, questionId, call.now) };
  }),
  defineHandler('qa:answered', { roles: STAFF }, async ({ ctx, user, now }, { questionId, reward }) => {
    const stream = await controlledStream(ctx, user, streamOfQuestion(questionId));
    return { question: await markAnswered(ctx, user, stream, questionId, reward, now) };
  }),
];
