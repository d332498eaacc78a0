import type { Keys } from '../redis/keys.js';

export const streamKeys = (k: Keys, streamId: string) => ({
  /** HASH: id, title, brandId, status, createdBy, createdAt, startedAt, endedAt */
  meta: k.stream(streamId, 'meta'),
});

export const brandStreamKeys = (k: Keys, brandId: string) => ({
  /** ZSET streamId -> createdAt: the brand's streams in order. */
  streams: k.brand(brandId, 'streams'),
});

/** ZSET streamId -> startedAt of streams now live, read by the worker's rollup and by stats timers. */
export const liveStreamsKey = (k: Keys) => k.global('live', 'streams');
