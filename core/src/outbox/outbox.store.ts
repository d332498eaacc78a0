import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { Lease } from '../redis/lease.js';
import type { OutboxEntry } from './outbox.entry.js';
import { outboxKeys, outboxStreamsKey } from './outbox.keys.js';

/** The only code reading or writing outbox keys (the committing scripts write entries, see their headers). */
export class OutboxStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Lists the stream for the sweep; call it before the script that may write an entry. */
  async listStream(streamId: string, nowMs: number): Promise<void> {
    await this.redis.zadd(outboxStreamsKey(this.keys), nowMs, streamId);
  }

  /** Streams listed since `sinceMs`; forgets those listed before it. */
  async streams(sinceMs: number): Promise<string[]> {
    const key = outboxStreamsKey(this.keys);
    await this.redis.zremrangebyscore(key, '-inf', `(${sinceMs}`);
    return this.redis.zrange(key, 0, -1);
  }

  async entryIds(streamId: string): Promise<string[]> {
    return this.redis.hkeys(outboxKeys(this.keys, streamId).entries);
  }

  /** The entry's JSON, or null once delivered. */
  rawEntry(streamId: string, entryId: string): Promise<string | null> {
    return this.redis.hget(outboxKeys(this.keys, streamId).entries, entryId);
  }

  /** Queues a rewrite of the entry on a MULTI that also holds the effects the rewrite records. */
  queueUpdate(batch: ChainableCommander, streamId: string, entryId: string, entry: OutboxEntry): void {
    batch.hset(outboxKeys(this.keys, streamId).entries, entryId, JSON.stringify(entry));
  }

  async done(streamId: string, entryId: string): Promise<void> {
    await this.redis.hdel(outboxKeys(this.keys, streamId).entries, entryId);
  }

  lease(streamId: string, entryId: string, ms: number): Promise<Lease | null> {
    return Lease.acquire(this.redis, this.keys, outboxKeys(this.keys, streamId).lease(entryId), ms);
  }
}
