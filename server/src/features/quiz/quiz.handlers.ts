import { defineHandler, STAFF, VIEWER } from '../../io/handler.js';
import { controlledStream } from '../../../../core/src/streams/streams.service.js';
import { closeQuiz } from '../../../../core/src/quiz/quiz.close.js';
import { answerQuiz, createQuiz, streamOfQuiz } from '../../../../core/src/quiz/quiz.service.js';

export const quizHandlers = [
  defineHandler('quiz:create', { roles: STAFF }, async ({ ctx, user, now }, payload) => ({
    quiz: await createQuiz(ctx, user, payload, now),
  })),
  defineHandler('quiz:answer', { roles: VIEWER }, async (call, { quizId, option }) => {
    const streamId = streamOfQuiz(quizId);
    call.requireJoined(streamId);
    await answerQuiz(call.ctx, call.user, streamId, quizId, option, call.now);
    return {};
  }),
  defineHandler('quiz:close', { roles: STAFF }, async ({ ctx, user, now }, { quizId }) => {
    const stream = await controlledStream(ctx, user, streamOfQuiz(quizId));
    return { result: await closeQuiz(ctx, stream.id, quizId, 'streamer', now, 'log') };
  }),
];
