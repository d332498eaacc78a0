import { ANYONE, defineHandler } from '../../io/handler.js';
import { sendReaction } from '../../../../core/src/reactions/reactions.service.js';

export const reactionHandlers = [
  defineHandler('reaction:send', { roles: ANYONE }, async (call, { streamId, kind, count }) => {
    call.requireJoined(streamId);
    await sendReaction(call.ctx, call.user, streamId, kind, count ?? 1);
    return {};
  }),
];
