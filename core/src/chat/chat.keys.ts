import type { Keys } from '../redis/keys.js';

/** Every chat key of one stream, in the stream's slot so one script can touch them all. */
export const chatKeys = (k: Keys, streamId: string) => ({
  /** HASH: slowModeSec, trimmedTo (highest id cut off the hot history), pinned (JSON), pinnedId. */
  meta: k.stream(streamId, 'chat', 'meta'),
  /** STRING: the last message id handed out (INCR). */
  seq: k.stream(streamId, 'chat', 'seq'),
  /** ZSET message id -> message JSON: the hot history, capped at CHAT_HISTORY. */
  history: k.stream(streamId, 'chat', 'history'),
  /** SET of blocked words and phrases, normalized (see chat.text.ts). */
  blocked: k.stream(streamId, 'chat', 'blocked'),
  /** SET of banned user ids. */
  banned: k.stream(streamId, 'chat', 'banned'),
  /** LIST of moderation actions as JSON, newest first. */
  modlog: k.stream(streamId, 'chat', 'modlog'),
  /** HASH per user: mutedUntil, lastAt (last accepted message), lastText (normalized, for duplicates). */
  user: (userId: string) => k.stream(streamId, 'chat', 'u', userId),
  /** ZSET per user: accepted message id -> time, the sliding rate-limit window. */
  rate: (userId: string) => k.stream(streamId, 'chat', 'rate', userId),
});
