import type { Keys } from '../redis/keys.js';

/** What exports keep of a stream beyond what its features keep; in the stream's slot. */
export const exportKeys = (k: Keys, streamId: string) => ({
  /**
   * ZSET message id -> message JSON: every chat message accepted in the stream (CHAT_LOG), the full chat
   * export; the hot history keeps only the newest CHAT_HISTORY. Dropped by retention.
   */
  chatLog: k.stream(streamId, 'chat', 'log'),
});

/** ZSET streamId -> endedAt: ended streams whose raw per-viewer events are still held (retention). */
export const retentionEndedKey = (k: Keys) => k.global('retention', 'ended');
/** STRING: set once every brand's ended streams were indexed for retention. */
export const retentionBackfilledKey = (k: Keys) => k.global('retention', 'backfilled');
