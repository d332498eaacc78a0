import { ANYONE, defineHandler } from '../../io/handler.js';
import { heartbeat } from '../../../../core/src/presence/presence.service.js';

export const presenceHandlers = [
  defineHandler('presence:heartbeat', { roles: ANYONE }, async (call, { streamId, visible }) => {
    call.requireJoined(streamId);
    await heartbeat(call.ctx, call.user, call.socket.id, streamId, visible, call.now);
    return {};
  }),
];
