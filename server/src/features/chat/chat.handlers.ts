import { AppError } from '../../../../core/src/errors.js';
import { ANYONE, defineHandler, STAFF } from '../../io/handler.js';
import { banUser, changeSettings, deleteMessage, muteUser, pinMessage } from '../../../../core/src/chat/chat.moderation.js';
import { chatStore, historyPage, sendMessage } from '../../../../core/src/chat/chat.service.js';

export const chatHandlers = [
  defineHandler('chat:send', { roles: ANYONE }, async ({ ctx, user, socket, now, requireJoined }, { streamId, text }) => {
    // A ban takes the user out of the room: tell them why they are no longer in it.
    if (!socket.data.streams.has(streamId) && (await chatStore(ctx).isBanned(streamId, user.id))) {
      throw new AppError('banned', 'you are banned from this stream');
    }
    requireJoined(streamId);
    return { message: await sendMessage(ctx, user, streamId, text, now) };
  }),
  defineHandler('chat:history', { roles: ANYONE }, ({ ctx, user, socket }, { streamId, beforeId, limit }) =>
    historyPage(ctx, user, streamId, socket.data.streams.has(streamId), beforeId, limit),
  ),
  defineHandler('chat:delete', { roles: STAFF }, async ({ ctx, user, now }, { streamId, messageId }) => {
    await deleteMessage(ctx, user, streamId, messageId, now);
    return {};
  }),
  defineHandler('chat:mute', { roles: STAFF }, async ({ ctx, user, now }, { streamId, userId, seconds }) => ({
    until: await muteUser(ctx, user, streamId, userId, seconds, now),
  })),
  defineHandler('chat:ban', { roles: STAFF }, async ({ ctx, user, now }, { streamId, userId, unban }) => {
    await banUser(ctx, user, streamId, userId, unban === true, now);
    return {};
  }),
  defineHandler('chat:pin', { roles: STAFF }, async ({ ctx, user, now }, { streamId, messageId }) => {
    await pinMessage(ctx, user, streamId, messageId, now);
    return {};
  }),
  defineHandler('chat:settings', { roles: STAFF }, async ({ ctx, user, now }, { streamId, slowModeSec, blockedWords }) =>
    changeSettings(ctx, user, streamId, { slowModeSec, blockedWords }, now),
  ),
];
