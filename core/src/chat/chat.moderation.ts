import type { ModerationAction, ModerationLog, PinnedMessage } from '@stickyroom/sdk/protocol';
import { allAudienceRooms, tierNames } from '../audience/audience.service.js';
import type { User } from '../identity/tokens.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { controlledStream, readableStream } from '../streams/streams.service.js';
import { chatStore } from './chat.service.js';
import { normalizeBlockedWords } from './chat.text.js';

/** Who acted and when: the part of every moderation log entry the caller knows up front. */
function by(user: User, at: number, action: ModerationAction['action']): Pick<ModerationAction, 'at' | 'action' | 'by'> {
  return { at, action, by: { id: user.id, name: user.name, role: user.role } };
}

function notSelf(user: User, userId: string): void {
  if (user.id === userId) throw new AppError('invalid_payload', 'you cannot do this to yourself');
}

export async function deleteMessage(ctx: AppContext, user: User, streamId: string, messageId: string, now: number): Promise<void> {
  await controlledStream(ctx, user, streamId);
  const res = await chatStore(ctx).delete(streamId, messageId, { ...by(user, now, 'delete'), messageId });
  if (!res) throw new AppError('not_found', `no message ${messageId} in the recent history`);
  ctx.broadcast.toStream(streamId).emit('chat:deleted', { streamId, messageId });
  if (res.unpinned) ctx.broadcast.toStream(streamId).emit('chat:pinned', { streamId, pinned: null });
  ctx.broadcast.toUser(res.message.userId).emit('moderation:notice', { streamId, action: 'delete' });
  ctx.log.info({ streamId, messageId, by: user.id }, 'chat message deleted');
}

export async function muteUser(ctx: AppContext, user: User, streamId: string, userId: string, seconds: number, now: number): Promise<number> {
  await controlledStream(ctx, user, streamId);
  notSelf(user, userId);
  const until = now + seconds * 1000;
  await chatStore(ctx).mute(streamId, userId, until, { ...by(user, now, 'mute'), target: userId, seconds, until });
  ctx.broadcast.toUser(userId).emit('moderation:notice', { streamId, action: 'mute', until });
  ctx.log.info({ streamId, userId, until, by: user.id }, 'chat user muted');
  return until;
}

export async function banUser(ctx: AppContext, user: User, streamId: string, userId: string, unban: boolean, now: number): Promise<void> {
  await controlledStream(ctx, user, streamId);
  notSelf(user, userId);
  const action = unban ? 'unban' : 'ban';
  await chatStore(ctx).ban(streamId, userId, !unban, { ...by(user, now, action), target: userId });
  ctx.broadcast.toUser(userId).emit('moderation:notice', { streamId, action });
  // out of the room and of its audience rooms, so no targeted push reaches a banned user either
  if (!unban) ctx.broadcast.leaveStream(userId, streamId, allAudienceRooms(streamId, tierNames(ctx)));
  ctx.log.info({ streamId, userId, by: user.id }, `chat user ${action}ned`);
}

export async function pinMessage(ctx: AppContext, user: User, streamId: string, messageId: string | null, now: number): Promise<void> {
  await controlledStream(ctx, user, streamId);
  const pin: Omit<PinnedMessage, 'message'> = { pinnedBy: user.name, at: now };
  const entry = messageId === null ? by(user, now, 'unpin') : { ...by(user, now, 'pin'), messageId };
  const res = await chatStore(ctx).pin(streamId, messageId, pin, entry);
  if (res === 'not_found') throw new AppError('not_found', `no message ${messageId ?? ''} in the recent history`);
  if (res === 'unchanged') return;
  ctx.broadcast.toStream(streamId).emit('chat:pinned', { streamId, pinned: res });
}

export async function changeSettings(
  ctx: AppContext,
  user: User,
  streamId: string,
  change: { slowModeSec?: number | undefined; blockedWords?: string[] | undefined },
  now: number,
): Promise<{ slowModeSec: number; blockedWords: number }> {
  await controlledStream(ctx, user, streamId);
  const words = change.blockedWords === undefined ? undefined : normalizeBlockedWords(change.blockedWords);
  const entry: ModerationAction = { ...by(user, now, 'settings') };
  if (change.slowModeSec !== undefined) entry.slowModeSec = change.slowModeSec;
  if (words !== undefined) entry.blockedWords = words.length;
  const settings = await chatStore(ctx).settings(streamId, { slowModeSec: change.slowModeSec, blockedWords: words }, entry);
  if (change.slowModeSec !== undefined) ctx.broadcast.toStream(streamId).emit('chat:mode', { streamId, slowModeSec: settings.slowModeSec });
  return settings;
}

/** The stream's moderation log, newest first, for its brand (and staff of the brand). */
export async function moderationLog(ctx: AppContext, user: User, streamId: string, offset: number, limit: number): Promise<ModerationLog> {
  await readableStream(ctx, user, streamId);
  return { streamId, ...(await chatStore(ctx).moderationLog(streamId, offset, limit)) };
}
