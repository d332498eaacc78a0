import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { unlinkPrefix } from '../../core/src/redis/prefix.js';
import type { RedisClient } from '../../core/src/redis/client.js';

export const BENCH_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix private to one benchmark run (valid as the server's REDIS_PREFIX). */
export function benchPrefix(): string {
  return `bench:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key a run wrote under `prefix`, BullMQ's braced prefix included. Bounded by SCAN batches. */
export async function dropPrefix(prefix: string, url = BENCH_REDIS_URL): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    return await unlinkPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Redis's own CPU seconds so far (user + system, all threads), from INFO cpu; NaN if Redis does not answer in 5 s. */
export async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  const info = await Promise.race([redis.info('cpu'), new Promise<string>((resolve) => setTimeout(() => resolve(''), 5000).unref())]).catch(() => '');
  const read = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return read('used_cpu_user') + read('used_cpu_sys');
}
