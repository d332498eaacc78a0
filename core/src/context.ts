import type { RedisClient } from './redis/client.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { DomainFeature } from './feature.js';
import type { Jobs } from './jobs/queues.js';
import type { Logger } from './logger.js';
import type { DomainMetrics } from './metrics.js';
import type { Pusher } from './pusher.js';
import type { Keys } from './redis/keys.js';

/**
 * Everything the domain needs, built once per process by its composition root (a server node or the
 * worker) with createContext(): no transport in it, only a Pusher that one of them provides.
 */
export interface AppContext {
  config: Config;
  log: Logger;
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  /** Pushes to rooms and users (Socket.IO on a server node; in the worker, published for every node to relay). */
  broadcast: Pusher;
  jobs: Jobs;
  /** The domain's Prometheus metrics (Redis commands, chat fan-out, claims), served by the process's /metrics. */
  metrics: DomainMetrics;
  /** The domain features and their hooks (stream end, chat message, join), in the order join parts merge. */
  features: readonly DomainFeature[];
}

/**
 * One instance of a service, store or node-local cache per context, made on first use. Services stay
 * plain functions of `ctx`; two contexts in one process (two nodes in a test) never share state.
 */
export function perContext<T>(make: (ctx: AppContext) => T): (ctx: AppContext) => T {
  const cache = new WeakMap<AppContext, T>();
  return (ctx) => {
    let v = cache.get(ctx);
    if (v === undefined) {
      v = make(ctx);
      cache.set(ctx, v);
    }
    return v;
  };
}
