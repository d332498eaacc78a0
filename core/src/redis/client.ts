import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import { instrumentRedis, type DomainMetrics } from '../metrics.js';
import { loadScripts } from './scripts.js';

export type { Redis };

export interface RedisFactoryOptions {
  url: string;
  log: Logger;
  name: string;
  /**
   * For a BullMQ Worker's connection (its blocking fetch needs `maxRetriesPerRequest: null`: commands wait for
   * Redis however long it is away). Every other client, BullMQ queues included, fails fast instead.
   */
  blocking?: boolean;
  /**
   * For a pub/sub subscriber whose subscriptions `keepSubscribed` (redis/outage.ts) restores on every
   * reconnect; ioredis's own resubscription is off so one owner decides.
   */
  subscriber?: boolean;
  /**
   * Batch commands issued in the same tick into one round trip (default on). Off for the adapter's pub/sub
   * clients: their unsubscribe on close must be written before QUIT, not a tick later.
   */
  autoPipelining?: boolean;
  /** Times this client's commands and counts their failures, labelled `client=<name>`. */
  metrics?: DomainMetrics;
}

/**
 * Commands fail fast while Redis is away (the caller answers `unavailable`) and the client reconnects by
 * itself, so a Redis restart costs errors for its duration and nothing after. A command issued while the
 * client reconnects waits in the offline queue for at most two attempts (`maxRetriesPerRequest: 1`), and
 * attempts are at most a second apart: a caller hears `unavailable` within about two seconds, and the
 * client is back within a second of Redis.
 */
export function createRedis({ url, log, name, blocking, subscriber, autoPipelining = true, metrics }: RedisFactoryOptions): Redis {
  const options: RedisOptions = {
    connectionName: `stickyroom:${name}`,
    lazyConnect: false,
    enableAutoPipelining: autoPipelining,
    maxRetriesPerRequest: blocking ? null : 1,
    enableOfflineQueue: true,
    autoResubscribe: !subscriber,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  };
  const redis = new Redis(url, options);
  if (metrics) instrumentRedis(redis, name, metrics);
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
