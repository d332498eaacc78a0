import type { Keys } from '../redis/keys.js';

/** A stream's outbox: in the stream's slot, so the script that commits a result writes its entry too. */
export const outboxKeys = (k: Keys, streamId: string) => ({
  /** HASH entryId -> OutboxEntry JSON: what was committed and is not yet announced. */
  entries: k.stream(streamId, 'outbox'),
  /** STRING with a PX expiry: the one caller delivering an entry right now. */
  lease: (entryId: string) => k.stream(streamId, 'outbox', 'lease', entryId),
});

/**
 * ZSET streamId -> when an entry was last about to be written: the streams the sweep looks at. Written
 * before the committing script (another slot), so a stream with an entry is always listed.
 */
export const outboxStreamsKey = (k: Keys) => k.global('outbox', 'streams');
