import { Emitter as RedisEmitter } from '@socket.io/redis-emitter';
import { buildContext } from '../../core/src/build-context.js';
import type { Config } from '../../core/src/config.js';
import { streamRoom, systemClock, userRoom, type AppContext, type Broadcaster, type Clock } from '../../core/src/context.js';
import { features } from '../../server/src/features/index.js';
import type { Logger } from '../../core/src/logger.js';
import { createRedis, type Redis } from '../../core/src/redis/client.js';
import { Keys } from '../../core/src/redis/keys.js';
import { handleRejections, outageWarner } from '../../core/src/redis/outage.js';

/**
 * The worker's context: the same shape the server's features use, with pushes going through the
 * Socket.IO Redis emitter so rooms on every server node receive them.
 *
 * The emitter publishes without awaiting (`emit` answers a boolean), so it gets a client of its own whose
 * failed publishes are dropped with one warning per outage instead of going unhandled. What a job must
 * deliver is stored with its commit and delivered again (DESIGN §10); a push is only news of it.
 */
export function createWorkerContext(
  config: Config,
  log: Logger,
  clock: Clock = systemClock,
): { ctx: AppContext; clients: readonly Redis[]; close(): Promise<void> } {
  const redis = createRedis({ url: config.REDIS_URL, log, name: 'worker-cmd' });
  const bull = createRedis({ url: config.REDIS_URL, log, name: 'worker-bull' });
  const pub = createRedis({ url: config.REDIS_URL, log, name: 'worker-pub', autoPipelining: false });
  handleRejections(pub, ['publish'], outageWarner(pub, log, 'a push to the server nodes'));
  const keys = new Keys(config.REDIS_PREFIX);
  const emitter = new RedisEmitter(pub, { key: keys.ioChannel });
  const broadcast: Broadcaster = {
    toStream: (streamId) => ({ emit: (event, payload) => void emitter.to(streamRoom(streamId)).emit(event, payload) }),
    toUser: (userId) => ({ emit: (event, payload) => void emitter.to(userRoom(userId)).emit(event, payload) }),
    leaveStream: (userId, streamId) => emitter.in(userRoom(userId)).socketsLeave(streamRoom(streamId)),
  };
  const ctx: AppContext = buildContext({ config, log, clock, redis, bull, broadcast, features });
  return {
    ctx,
    clients: [redis, bull, pub],
    async close() {
      await ctx.jobs.close();
      await Promise.all([redis, bull, pub].map((r) => r.quit().catch(() => r.disconnect())));
    },
  };
}
