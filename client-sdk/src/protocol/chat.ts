import { z } from 'zod';
import { Id, Role, StreamId, Timestamp } from './common.js';
import { userText } from './text.js';
import { CHAT_MAX_CHARS } from './constants.js';

export { CHAT_MAX_CHARS };

/**
 * The newest messages a fresh `room:join` ack carries by default (the server's CHAT_JOIN_HISTORY, 1–50); a
 * rejoin with `lastMessageId` gets everything it missed instead, and older messages are paged with
 * `chat:history`.
 */
export const CHAT_JOIN_HISTORY_DEFAULT = 20;
/** The most messages one `chat:history` page carries (and the default page). */
export const CHAT_HISTORY_PAGE_MAX = 50;
/** `chat:history` pages one user may ask for per second (on a node); more answer `rate_limited` with `retryAfterMs`. */
export const CHAT_HISTORY_PAGES_PER_SEC = 5;
/** Sending the same text again within this window is refused (`invalid_payload`, reason `duplicate`). */
export const CHAT_DUPLICATE_WINDOW_MS = 30_000;

/**
 * Why `chat:send` was refused, in `error.reason`: `rate_limit` / `slow_mode` (code `rate_limited`, with
 * `retryAfterMs`), `blocked_word` / `duplicate` (code `invalid_payload`). `muted` carries `retryAfterMs` too.
 *
 * @example
 * try {
 *   await viewer.chat(streamId, text);
 * } catch (err) {
 *   if (err instanceof StickyroomError && (err.code === 'rate_limited' || err.code === 'muted')) {
 *     disableSendFor(err.retryAfterMs ?? 1000);
 *   } else if (err instanceof StickyroomError && err.reason === 'blocked_word') {
 *     showHint('That word is not allowed here');
 *   } else throw err;
 * }
 */
export const CHAT_REFUSAL_REASONS = ['rate_limit', 'slow_mode', 'blocked_word', 'duplicate'] as const;
export type ChatRefusalReason = (typeof CHAT_REFUSAL_REASONS)[number];

export const ChatMessage = z.object({
  /** Decimal sequence number, increasing per stream: "after id X" is well defined. */
  id: z.string(),
  streamId: StreamId,
  userId: Id,
  name: z.string(),
  text: z.string(),
  at: Timestamp,
  /**
   * The sender's role in this stream, so a UI can badge streamers and moderators: the token's role for
   * staff and the brand team of the stream's own brand, `admin` for admins, `viewer` for everyone else
   * (a streamer of another brand included).
   */
  role: Role.optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export interface PinnedMessage {
  message: ChatMessage;
  pinnedBy: string;
  at: number;
}

export const ChatSend = z.object({ streamId: StreamId, text: userText(CHAT_MAX_CHARS) }).strict();
export const ChatDelete = z.object({ streamId: StreamId, messageId: z.string().min(1).max(64) }).strict();
export const ChatMute = z
  .object({ streamId: StreamId, userId: Id, seconds: z.number().int().min(1).max(7 * 24 * 3600) })
  .strict();
export const ChatBan = z.object({ streamId: StreamId, userId: Id, unban: z.boolean().optional() }).strict();
/** `messageId: null` unpins. */
export const ChatPin = z.object({ streamId: StreamId, messageId: z.string().min(1).max(64).nullable() }).strict();
export const ChatSettings = z
  .object({
    streamId: StreamId,
    /** One message per N seconds per viewer; 0 turns slow mode off. */
    slowModeSec: z.number().int().min(0).max(3600).optional(),
    /** Replaces the stream's blocked-words list (case-insensitive, whole words or phrases). */
    blockedWords: z.array(z.string().trim().min(1).max(64)).max(500).optional(),
  })
  .strict();

/**
 * One page of the hot history (the newest CHAT_HISTORY messages the server keeps): the newest `limit`
 * messages older than `beforeId` (the newest of all without it), oldest first. Page back by passing the
 * first message of the last page as `beforeId`: pages neither overlap nor skip a message (a deleted one is
 * left out). Needs `room:join` on this socket.
 */
export const ChatHistory = z
  .object({
    streamId: StreamId,
    /** A message id of this stream; the page holds only older ones. */
    beforeId: z.string().regex(/^[1-9][0-9]{0,14}$/, 'a message id').optional(),
    limit: z.number().int().min(1).max(CHAT_HISTORY_PAGE_MAX).default(CHAT_HISTORY_PAGE_MAX),
  })
  .strict();

export const chatRequests = {
  'chat:send': ChatSend,
  'chat:history': ChatHistory,
  'chat:delete': ChatDelete,
  'chat:mute': ChatMute,
  'chat:ban': ChatBan,
  'chat:pin': ChatPin,
  'chat:settings': ChatSettings,
} as const;

export const ModerationActionKind = z.enum(['delete', 'mute', 'ban', 'unban', 'pin', 'unpin', 'settings']);
export type ModerationActionKind = z.infer<typeof ModerationActionKind>;

/** One entry of a stream's moderation log: who did what to whom, when. */
export const ModerationAction = z.object({
  at: Timestamp,
  action: ModerationActionKind,
  by: z.object({ id: Id, name: z.string(), role: Role }),
  /** The user acted on (the muted, banned or unbanned user; the author of a deleted or pinned message). */
  target: Id.optional(),
  messageId: z.string().optional(),
  /** The deleted or pinned message as it was. */
  message: ChatMessage.optional(),
  seconds: z.number().int().optional(),
  until: Timestamp.optional(),
  slowModeSec: z.number().int().optional(),
  blockedWords: z.number().int().optional(),
});
export type ModerationAction = z.infer<typeof ModerationAction>;

/** HTTP `GET /api/streams/:id/moderation` query: newest first, paged with `offset`. */
export const ModerationLogQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(200),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

/**
 * HTTP `GET /api/streams/:id/moderation` answer (brand, streamer or moderator token of the stream's brand).
 *
 * @example
 * const res = await fetch(`${url}/api/streams/${streamId}/moderation?limit=50`, { headers: { authorization: `Bearer ${brandToken}` } });
 * const log = ModerationLog.parse(await res.json());
 * for (const a of log.actions) console.log(new Date(a.at), a.by.name, a.action, a.target ?? '');
 */
export const ModerationLog = z.object({
  streamId: StreamId,
  /** Every action recorded for the stream (the log keeps the newest 10,000). */
  total: z.number().int(),
  actions: z.array(ModerationAction),
});
export type ModerationLog = z.infer<typeof ModerationLog>;

export interface ChatReplies {
  'chat:send': { message: ChatMessage };
  /** Oldest first; `more`: older messages are still in the hot history (ask again with `beforeId: messages[0].id`). */
  'chat:history': { messages: ChatMessage[]; more: boolean };
  'chat:delete': Record<string, never>;
  'chat:mute': { until: number };
  'chat:ban': Record<string, never>;
  'chat:pin': Record<string, never>;
  'chat:settings': { slowModeSec: number; blockedWords: number };
}

export interface ChatPushes {
  'chat:message': (message: ChatMessage) => void;
  /**
   * Messages fanned out in short ticks: one frame carries every message of the tick.
   * The SDK unpacks it into `chat:message` events; raw socket users read `messages` in order.
   */
  'chat:batch': (batch: { streamId: string; messages: ChatMessage[] }) => void;
  'chat:deleted': (e: { streamId: string; messageId: string }) => void;
  'chat:pinned': (e: { streamId: string; pinned: PinnedMessage | null }) => void;
  /** Slow mode changed: one message per `slowModeSec` seconds per viewer (0: off). */
  'chat:mode': (e: { streamId: string; slowModeSec: number }) => void;
}
