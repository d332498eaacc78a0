import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { unlinkPrefix } from '../../core/src/redis/prefix.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run (or a developer's data) uses. */
export function uniquePrefix(tag = 't'): string {
  return `test:${tag}:${randomBytes(4).toString('hex')}:`;
}

/** Removes every key under a prefix (BullMQ's braced prefix included). */
export async function dropPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await unlinkPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
