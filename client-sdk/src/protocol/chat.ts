import { z } from 'zod';
import { Id, StreamId, Timestamp, userText } from './common.js';

export const CHAT_MAX_CHARS = 500;

export const ChatMessage = z.object({
  id: z.string(),
  streamId: StreamId,
  userId: Id,
  name: z.string(),
  text: z.string(),
  at: Timestamp,
  role: z.string().optional(),
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

export const chatRequests = {
  'chat:send': ChatSend,
  'chat:delete': ChatDelete,
  'chat:mute': ChatMute,
  'chat:ban': ChatBan,
  'chat:pin': ChatPin,
  'chat:settings': ChatSettings,
} as const;

export interface ChatReplies {
  'chat:send': { message: ChatMessage };
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
}
