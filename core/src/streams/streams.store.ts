import type { RedisClient } from '../redis/client.js';
import { SlotBatch } from '../redis/slot-batch.js';
import type { Stream, StreamStatus } from '@stickyroom/sdk/protocol';
import type { Keys } from '../redis/keys.js';
import { brandStreamKeys, liveStreamsKey, streamKeys } from './streams.keys.js';
import { streamTransition } from './streams.scripts.js';

export type StreamRecord = Stream;

export function parseStream(h: Record<string, string>): StreamRecord | null {
  if (!h.id) return null;
  const s: StreamRecord = {
    id: h.id,
    title: h.title ?? '',
    brandId: h.brandId ?? '',
    status: (h.status as StreamStatus) ?? 'scheduled',
    createdBy: h.createdBy ?? '',
    createdAt: Number(h.createdAt),
  };
  if (h.startedAt) s.startedAt = Number(h.startedAt);
  if (h.endedAt) s.endedAt = Number(h.endedAt);
  return s;
}

export class StreamStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async create(s: StreamRecord): Promise<void> {
    await this.redis
      .multi()
      .hset(streamKeys(this.keys, s.id).meta, { ...s })
      .exec();
    await this.redis.zadd(brandStreamKeys(this.keys, s.brandId).streams, s.createdAt, s.id);
  }

  async get(streamId: string): Promise<StreamRecord | null> {
    return parseStream(await this.redis.hgetall(streamKeys(this.keys, streamId).meta));
  }

  /**
   * Moves the stream along scheduled -> live -> ended in one script, so two nodes racing a start or an
   * end see one transition. Returns the stream after the call and whether this call changed it; refuses
   * (not_found) a stream that does not exist.
   */
  async transition(streamId: string, to: 'live' | 'ended', nowMs: number): Promise<{ stream: StreamRecord; changed: boolean }> {
    const { changed, fields } = await streamTransition.run(this.redis, this.keys, { streamId, to, now: nowMs });
    const stream = parseStream(fields)!;
    if (changed) {
      if (to === 'live') await this.redis.zadd(liveStreamsKey(this.keys), stream.startedAt ?? nowMs, streamId);
      else await this.redis.zrem(liveStreamsKey(this.keys), streamId);
    }
    return { stream, changed };
  }

  async liveStreamIds(): Promise<string[]> {
    return this.redis.zrange(liveStreamsKey(this.keys), 0, -1);
  }

  async brandStreams(brandId: string, limit = 100, offset = 0): Promise<string[]> {
    return this.redis.zrevrange(brandStreamKeys(this.keys, brandId).streams, offset, offset + limit - 1);
  }

  async getMany(streamIds: readonly string[]): Promise<(StreamRecord | null)[]> {
    if (streamIds.length === 0) return [];
    const batch = new SlotBatch(this.redis);
    for (const id of streamIds) batch.for(streamKeys(this.keys, id).meta).hgetall(streamKeys(this.keys, id).meta);
    const res = await batch.exec();
    return res.map(([err, h]) => (err ? null : parseStream(h as Record<string, string>)));
  }
}
