import type { Redis } from 'ioredis';
import type { ChatMessage, PushName, PushPayload } from '@stickyroom/sdk/protocol';
import type { User } from './identity/tokens.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Keys } from './redis/keys.js';
import type { TokenService } from './identity/tokens.js';
import type { Jobs } from './jobs/queues.js';
import type { StreamRecord } from './streams/streams.store.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface Emitter {
  emit<E extends PushName>(event: E, payload: PushPayload<E>): void;
}

/**
 * Pushes to a stream's room or to one user on every node. The server implements it over its Socket.IO
 * server, the worker over the Redis emitter, so feature services run the same in either process.
 */
export interface Broadcaster {
  toStream(streamId: string): Emitter;
  toUser(userId: string): Emitter;
  /** Takes every socket of a user, on every node, out of a stream's room (a ban). */
  leaveStream(userId: string, streamId: string): void;
}

/** Everything a feature's service needs; built once by the composition root (server or worker). */
export interface AppContext {
  config: Config;
  log: Logger;
  redis: Redis;
  keys: Keys;
  clock: Clock;
  tokens: TokenService;
  broadcast: Broadcaster;
  jobs: Jobs;
  /** Run when a stream ends (close open quizzes, lotteries, drops); each feature adds its own. */
  streamEndHooks: Array<(ctx: AppContext, stream: StreamRecord) => Promise<void>>;
  /** Run after a chat message is accepted (lottery keyword entries); set from the features list. */
  chatMessageHooks: Array<(ctx: AppContext, stream: StreamRecord, user: User, message: ChatMessage) => Promise<void>>;
}

/** Memoizes one instance of a service or store per context. */
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

export const streamRoom = (streamId: string): string => `s:${streamId}`;
export const userRoom = (userId: string): string => `u:${userId}`;
