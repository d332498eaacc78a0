import { Redis } from 'ioredis';

/** Fails fast with a useful message when no Redis answers, instead of 100 timeouts. */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new Error(
      `The tests need a Redis at ${url} (set TEST_REDIS_URL to use another). Start one with: ` +
        `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
    );
  } finally {
    redis.disconnect();
  }
}
