import {
  CHAT_DUPLICATE_WINDOW_MS,
  CHAT_HISTORY_PAGES_PER_SEC,
  type ChatMessage,
  type JoinData,
} from '@stickyroom/sdk/protocol';
import { canControlBrand, roleInRoom, type User } from '../identity/tokens.js';
import { afterCommit } from '../after-commit.js';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { RateBuckets } from '../rate-buckets.js';
import { joinLookup } from '../room/join-reads.js';
import { markShared } from '../room/shared-values.js';
import { getStream } from '../streams/streams.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { ChatFanout } from './chat.fanout.js';
import { ChatStore } from './chat.store.js';
import { duplicateKey, wordsForMatching } from './chat.text.js';

export const chatStore = perContext(
  (ctx) =>
    new ChatStore(ctx.redis, ctx.keys, {
      rateLimit: ctx.config.CHAT_RATE_LIMIT,
      rateWindowMs: ctx.config.CHAT_RATE_WINDOW_SEC * 1000,
      duplicateWindowMs: CHAT_DUPLICATE_WINDOW_MS,
      historyCap: ctx.config.CHAT_HISTORY,
    }),
);

export const chatFanout = perContext((ctx) => new ChatFanout(ctx.broadcast, ctx.config.CHAT_TICK_MS, ctx.metrics, ctx.config.CHAT_SOCKETS_PER_STEP));

/** Staff of the stream's brand chat without limits and cannot be muted or banned from it. */
function isStaffOf(user: User, stream: StreamRecord): boolean {
  return canControlBrand(user, stream.brandId);
}

/**
 * Accepts a message and counts it for scoring (every rule, the append and the count in one script), fans
 * it out and runs the other features' chat hooks. A refusal throws and changes nothing.
 */
export async function sendMessage(ctx: AppContext, user: User, streamId: string, text: string, now: number): Promise<ChatMessage> {
  const stream = await getStream(ctx, streamId);
  const message = await chatStore(ctx).send({
    streamId,
    userId: user.id,
    name: user.name,
    role: roleInRoom(user, stream.brandId),
    text,
    words: wordsForMatching(text),
    duplicateKey: duplicateKey(text),
    now,
    exempt: isStaffOf(user, stream),
    // the audience's activity: staff messages are part of the chat but not of anyone's stickiness
    countActivity: user.role === 'viewer',
  });
  chatFanout(ctx).push(message);
  // The message is sent and counted: what follows cannot make its answer a failure (see afterCommit).
  for (const feature of ctx.features) {
    const hook = feature.onChatMessage;
    if (!hook) continue;
    await afterCommit(ctx, 'a chat message hook', () => hook(ctx, stream, user, message), { streamId, messageId: message.id, feature: feature.name });
  }
  return message;
}

/** Per user, on this node: a flood of history pages is refused before it reaches Redis. */
const historyPages = perContext(() => new RateBuckets(CHAT_HISTORY_PAGES_PER_SEC));

/**
 * One page of a stream's hot history for a member of its room (`joined`: this socket joined the stream):
 * the newest `limit` messages older than `beforeId`, oldest first, and whether older ones remain.
 * `rate_limited` past CHAT_HISTORY_PAGES_PER_SEC, `not_found` for an unknown stream, `forbidden` before
 * `room:join` (a banned user is out of the room, so refused too).
 */
export async function historyPage(
  ctx: AppContext,
  user: User,
  streamId: string,
  joined: boolean,
  beforeId: string | undefined,
  limit: number,
): Promise<{ messages: ChatMessage[]; more: boolean }> {
  // monotonic time, as the per-user event limit: a flood guard
  const { granted, retryAfterMs } = historyPages(ctx).take(user.id, performance.now());
  if (!granted) throw new AppError('rate_limited', `at most ${CHAT_HISTORY_PAGES_PER_SEC} history pages a second`, { retryAfterMs });
  if (!joined) {
    await getStream(ctx, streamId);
    throw new AppError('forbidden', 'join the stream first (room:join)');
  }
  return chatStore(ctx).page(streamId, beforeId, limit);
}

/**
 * Refuses a banned user's join before any feature records it. The ban lookup goes out beside the stream's
 * read, one SMISMEMBER for the joins of this moment (a join storm when the stream goes live); the stream's
 * staff, never banned from it, are told apart once the stream is read, and only when the lookup said banned.
 */
export function refuseBannedJoin(ctx: AppContext, streamId: string, stream: Promise<StreamRecord>, user: User): Promise<void> {
  return joinLookup(ctx, streamId, 'chat:banned', user.id, (ids) => chatStore(ctx).areBanned(streamId, ids)).then((banned) =>
    banned ? stream.then((s) => refuseUnlessStaff(s, user)) : undefined,
  );
}

function refuseUnlessStaff(stream: StreamRecord, user: User): void {
  if (!isStaffOf(user, stream)) throw new AppError('banned', 'you are banned from this stream');
}

type ChatPart = Pick<JoinData, 'chat' | 'chatGap' | 'pinned'>;

/**
 * What every fresh join of a moment carries alike (read once for all): the part itself, with the history and
 * the pinned message, and the pin a rejoin's part carries beside what it missed. Both are shared values of the
 * moment (see JoinHook), encoded once for every ack.
 */
export interface ChatJoinView {
  fresh: ChatPart;
  pinned: Pick<JoinData, 'pinned'>['pinned'];
}

/** The chat read shared by the joins of one moment (see JoinHook). */
export async function chatJoinView(ctx: AppContext, stream: StreamRecord): Promise<ChatJoinView> {
  const store = chatStore(ctx);
  const [history, pinned] = await Promise.all([store.history(stream.id, ctx.config.CHAT_JOIN_HISTORY), store.pinned(stream.id)]);
  const pin = pinned ? markShared({ message: pinned }) : undefined;
  return { fresh: markShared(chatPart(history.chat, history.gap, pin)), pinned: pin };
}

/**
 * The chat part of the `room:join` ack: the history (or, for a rejoin, what was missed since `lastMessageId`,
 * read for this viewer alone) and the pinned message.
 */
export function chatJoinPart(ctx: AppContext, stream: StreamRecord, view: ChatJoinView, lastMessageId: string | undefined): ChatPart | Promise<ChatPart> {
  if (lastMessageId === undefined) return view.fresh;
  return chatStore(ctx)
    .history(stream.id, ctx.config.CHAT_JOIN_HISTORY, lastMessageId)
    .then((missed) => chatPart(missed.chat, missed.gap, view.pinned));
}

function chatPart(chat: ChatMessage[], gap: boolean, pinned: ChatPart['pinned']): ChatPart {
  const part: ChatPart = { chat };
  if (gap) part.chatGap = true;
  if (pinned) part.pinned = pinned;
  return part;
}
