import { defineHandler, STAFF, VIEWER } from '../../io/handler.js';
import { controlledStream } from '../../../../core/src/streams/streams.service.js';
import { closePoll, createPoll, streamOfPoll, votePoll } from '../../../../core/src/polls/polls.service.js';

export const pollHandlers = [
  defineHandler('poll:create', { roles: STAFF }, async ({ ctx, user, now }, payload) => ({
    poll: await createPoll(ctx, user, payload, now),
  })),
  defineHandler('poll:vote', { roles: VIEWER }, async (call, { pollId, option }) => {
    const streamId = streamOfPoll(pollId);
    call.requireJoined(streamId);
    return votePoll(call.ctx, call.user, streamId, pollId, option, call.now);
  }),
  defineHandler('poll:close', { roles: STAFF }, async ({ ctx, user, now }, { pollId }) => {
    const stream = await controlledStream(ctx, user, streamOfPoll(pollId));
    return { result: await closePoll(ctx, stream.id, pollId, 'streamer', now) };
  }),
];
