import { z } from 'zod';
import { StreamId } from './common.js';
import { SESSION_END_REASONS } from './constants.js';
import type { Stream } from './streams.js';
import type { ChatMessage, PinnedMessage } from './chat.js';
import type { PinnedProduct } from './products.js';
import type { QuizPublic, QuizResult } from './quiz.js';
import type { LotteryPublic } from './lottery.js';
import type { DropPublic } from './coupons.js';
import type { QuestionPublic } from './qa.js';
import type { PollPublic, PollResults } from './polls.js';

export { SESSION_END_REASONS, FINAL_SESSION_END_REASONS } from './constants.js';

export const RoomJoin = z
  .object({
    streamId: StreamId,
    /** Id of the newest chat message this client already has: the ack then carries exactly what it missed. */
    lastMessageId: z.string().max(64).optional(),
  })
  .strict();
export const RoomLeave = z.object({ streamId: StreamId }).strict();

/** Why the server closed a session: see `SESSION_END_REASONS`. */
export const SessionEndReason = z.enum(SESSION_END_REASONS);
export type SessionEndReason = z.infer<typeof SessionEndReason>;
export const SessionEnded = z.object({ reason: SessionEndReason });
export type SessionEnded = z.infer<typeof SessionEnded>;

/** A fresh token for the same user: the session then ends at its expiry instead of the old one's. */
export const SessionRefresh = z.object({ token: z.string().min(1).max(4096) }).strict();

export const roomRequests = {
  'room:join': RoomJoin,
  'room:leave': RoomLeave,
  'session:refresh': SessionRefresh,
} as const;

/**
 * Live counts of a stream, pushed to its room as `room:stats` at most every STATS_INTERVAL_MS (2 s), when
 * they change. The `room:join` ack carries `viewers` for the moment of joining.
 *
 * @example
 * const { viewers } = await viewer.join(streamId);
 * viewer.on('room:stats', (s) => s.streamId === streamId && showCount(s.viewers, s.peak));
 */
export interface RoomStats {
  streamId: string;
  /** Distinct viewers (role `viewer`) seen, by a join or a heartbeat, in the last 45 s. */
  viewers: number;
  /** The most concurrent viewers while the stream was live. */
  peak: number;
  /** When the peak was first reached (ms since the epoch); absent before any live viewer. */
  peakAt?: number;
}

export interface JoinData {
  stream: Pick<Stream, 'id' | 'title' | 'status' | 'brandId'> & Partial<Stream>;
  viewers: number;
  chat: ChatMessage[];
  /** True when `lastMessageId` was older than the hot history: `chat` is then the whole hot history. */
  chatGap?: boolean;
  pinned?: { message?: PinnedMessage; product?: PinnedProduct };
  /** The open quiz, while it takes answers. */
  quiz?: QuizPublic;
  /**
   * The result of the stream's last closed quiz, once published (the payload of its `quiz:result` push;
   * its `announcementId` is `quizResultAnnouncementId(quizId)`). After a reconnect the SDK emits it as
   * `quiz:result` unless that push already reached it.
   */
  quizResult?: QuizResult;
  /** The open poll and its counts so far. */
  poll?: PollPublic & { results: PollResults };
  lottery?: LotteryPublic;
  drops: DropPublic[];
  questions?: QuestionPublic[];
  reactions?: Record<string, number>;
}

export interface RoomReplies {
  'room:join': JoinData;
  'room:leave': Record<string, never>;
  /** When the session now ends (the new token's `exp`, ms since the epoch). */
  'session:refresh': { expiresAt: number };
}

export interface RoomPushes {
  'room:stats': (stats: RoomStats) => void;
  /** Sent just before the server closes the connection; see `SessionEnded` for the reasons. */
  'session:ended': (e: SessionEnded) => void;
}
