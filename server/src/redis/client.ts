import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import { loadScripts } from './scripts.js';

export type { Redis };

export interface RedisFactoryOptions {
  url: string;
  log: Logger;
  name: string;
  /** BullMQ needs `maxRetriesPerRequest: null`; commands of the service fail fast instead. */
  forBullmq?: boolean;
  /**
   * Batch commands issued in the same tick into one round trip (default on). Off for the adapter's pub/sub
   * clients: their unsubscribe on close must be written before QUIT, not a tick later.
   */
  autoPipelining?: boolean;
}

/**
 * Commands fail fast while Redis is away (the caller answers `unavailable`) and the client reconnects by
 * itself, so a Redis restart costs errors for its duration and nothing after.
 */
export function createRedis({ url, log, name, forBullmq, autoPipelining = true }: RedisFactoryOptions): Redis {
  const options: RedisOptions = {
    connectionName: `stickyroom:${name}`,
    lazyConnect: false,
    enableAutoPipelining: autoPipelining,
    maxRetriesPerRequest: forBullmq ? null : 1,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  };
  const redis = new Redis(url, options);
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) log.warn({ err: err.message, client: name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info({ client: name }, 'redis connection restored');
    down = false;
  });
  loadScripts(redis);
  return redis;
}
