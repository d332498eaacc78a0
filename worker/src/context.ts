import { Emitter as RedisEmitter } from '@socket.io/redis-emitter';
import { buildContext } from '../../server/src/build-context.js';
import type { Config } from '../../server/src/config.js';
import { streamRoom, systemClock, userRoom, type AppContext, type Broadcaster, type Clock } from '../../server/src/context.js';
import { features } from '../../server/src/features/index.js';
import type { Logger } from '../../server/src/logger.js';
import { createRedis } from '../../server/src/redis/client.js';
import { Keys } from '../../server/src/redis/keys.js';

/**
 * The worker's context: the same shape the server's features use, with pushes going through the
 * Socket.IO Redis emitter so rooms on every server node receive them.
 */
export function createWorkerContext(config: Config, log: Logger, clock: Clock = systemClock): { ctx: AppContext; close(): Promise<void> } {
  const redis = createRedis({ url: config.REDIS_URL, log, name: 'worker-cmd' });
  const bull = createRedis({ url: config.REDIS_URL, log, name: 'worker-bull', forBullmq: true });
  const keys = new Keys(config.REDIS_PREFIX);
  const emitter = new RedisEmitter(redis, { key: keys.ioChannel });
  const broadcast: Broadcaster = {
    toStream: (streamId) => ({ emit: (event, payload) => void emitter.to(streamRoom(streamId)).emit(event, payload) }),
    toUser: (userId) => ({ emit: (event, payload) => void emitter.to(userRoom(userId)).emit(event, payload) }),
    leaveStream: (userId, streamId) => emitter.in(userRoom(userId)).socketsLeave(streamRoom(streamId)),
  };
  const ctx: AppContext = buildContext({ config, log, clock, redis, bull, broadcast, features });
  return {
    ctx,
    async close() {
      await ctx.jobs.close();
      await Promise.all([redis, bull].map((r) => r.quit().catch(() => r.disconnect())));
    },
  };
}
