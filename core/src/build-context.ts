import type { Redis } from 'ioredis';
import { TokenService } from './identity/tokens.js';
import type { Config } from './config.js';
import type { AppContext, Broadcaster, Clock } from './context.js';
import type { Feature } from '../../server/src/features/types.js';
import { createJobs } from './jobs/queues.js';
import type { Logger } from './logger.js';
import { Keys } from './redis/keys.js';

/** Pushes nowhere: the server swaps in its Socket.IO broadcaster once the io server exists. */
export const silentBroadcaster: Broadcaster = {
  toStream: () => ({ emit: () => {} }),
  toUser: () => ({ emit: () => {} }),
  leaveStream: () => {},
};

/** The context a server node and a worker share, from their own connections and broadcaster. */
export function buildContext(parts: {
  config: Config;
  log: Logger;
  clock: Clock;
  redis: Redis;
  bull: Redis;
  broadcast: Broadcaster;
  features: readonly Feature[];
}): AppContext {
  const { config, features } = parts;
  const keys = new Keys(config.REDIS_PREFIX);
  return {
    config,
    log: parts.log,
    redis: parts.redis,
    keys,
    clock: parts.clock,
    tokens: new TokenService(config.JWT_SECRET, { maxTtlSec: config.JWT_MAX_TTL }),
    broadcast: parts.broadcast,
    jobs: createJobs(parts.bull, keys.bullPrefix, parts.log),
    streamEndHooks: features.flatMap((f) => (f.onStreamEnd ? [f.onStreamEnd] : [])),
    chatMessageHooks: features.flatMap((f) => (f.onChatMessage ? [f.onChatMessage] : [])),
  };
}
