import type { RedisClient } from './redis/client.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './clock.js';
import type { AppContext } from './context.js';
import type { DomainFeature } from './feature.js';
import { domainFeatures } from './features.js';
import { createJobs } from './jobs/queues.js';
import type { Logger } from './logger.js';
import { createDomainMetrics, type DomainMetrics } from './metrics.js';
import type { Pusher } from './pusher.js';
import { Keys } from './redis/keys.js';
import { SimulationClock } from './simulation-clock.js';

/**
 * The domain context of a process, from connections and a Pusher its composition root made first: nothing
 * in it is patched in later.
 */
export function createContext(parts: {
  config: Config;
  log: Logger;
  clock?: Clock;
  redis: RedisClient;
  /** BullMQ's connection (`maxRetriesPerRequest: null`). */
  bull: RedisClient;
  pusher: Pusher;
  /** Every domain feature by default; tests add recording ones. */
  features?: readonly DomainFeature[];
  /** The metrics its Redis clients were made with; a fresh set (served nowhere) by default. */
  metrics?: DomainMetrics;
}): AppContext {
  const keys = new Keys(parts.config.REDIS_PREFIX);
  const clock = parts.clock ?? systemClock;
  if (parts.config.SIMULATION_CLOCK && !(clock instanceof SimulationClock)) {
    throw new Error('SIMULATION_CLOCK is set but this process was given no simulation clock: only npm run simulate runs on one (docs/simulate.md)');
  }
  return {
    config: parts.config,
    log: parts.log,
    redis: parts.redis,
    keys,
    clock,
    broadcast: parts.pusher,
    jobs: createJobs(parts.bull, keys.bullPrefix, parts.log, parts.config.SIMULATION_CLOCK ? (clock as SimulationClock) : undefined),
    features: parts.features ?? domainFeatures,
    metrics: parts.metrics ?? createDomainMetrics(),
  };
}
