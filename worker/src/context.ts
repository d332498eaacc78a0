import type { Config } from '../../core/src/config.js';
import { systemClock, type Clock } from '../../core/src/clock.js';
import type { AppContext } from '../../core/src/context.js';
import { createContext } from '../../core/src/create-context.js';
import type { Logger } from '../../core/src/logger.js';
import { createRedis, redisConnection, type RedisClient } from '../../core/src/redis/client.js';
import { Keys } from '../../core/src/redis/keys.js';
import { handleRejections, outageWarner } from '../../core/src/redis/outage.js';
import type { DomainMetrics } from '../../core/src/metrics.js';
import { workerPusher } from './relay-pusher.js';

/**
 * The worker's context: the domain's, with pushes through the worker's own Pusher.
 *
 * The pusher publishes without awaiting, so it gets a client of its own whose
 * failed publishes are dropped with one warning per outage instead of going unhandled. What a job must
 * deliver is stored with its commit and delivered again (DESIGN §10); a push is only news of it.
 */
export function createWorkerContext(
  config: Config,
  log: Logger,
  clock: Clock = systemClock,
  metrics?: DomainMetrics,
): { ctx: AppContext; clients: readonly RedisClient[]; close(): Promise<void> } {
  const connection = redisConnection(config);
  const redis = createRedis({ ...connection, log, name: 'worker-cmd', metrics });
  const bull = createRedis({ ...connection, log, name: 'worker-bull', metrics });
  const pub = createRedis({ ...connection, log, name: 'worker-pub', autoPipelining: false, metrics });
  handleRejections(pub, ['publish'], outageWarner(pub, log, 'a push to the server nodes'));
  const pusher = workerPusher(pub, new Keys(config.REDIS_PREFIX).pushChannel);
  const ctx = createContext({ config, log, clock, redis, bull, pusher, ...(metrics ? { metrics } : {}) });
  return {
    ctx,
    clients: [redis, bull, pub],
    async close() {
      await ctx.jobs.close();
      await Promise.all([redis, bull, pub].map((r) => r.quit().catch(() => r.disconnect())));
    },
  };
}
