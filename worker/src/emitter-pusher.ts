import { Emitter as RedisEmitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { staffRoom, streamRoom, userRoom, type Pusher } from '../../core/src/pusher.js';

/**
 * The worker's pushes: through the Socket.IO Redis emitter, so rooms on every server node receive them.
 * (It speaks the classic adapter's format only; a later change delivers the worker's pushes another way.)
 */
export function emitterPusher(redis: Redis, channel: string): Pusher {
  const emitter = new RedisEmitter(redis, { key: channel });
  return {
    toStream: (streamId) => ({ emit: (event, payload) => void emitter.to(streamRoom(streamId)).emit(event, payload) }),
    toUser: (userId) => ({ emit: (event, payload) => void emitter.to(userRoom(userId)).emit(event, payload) }),
    toStaff: (streamId) => ({ emit: (event, payload) => void emitter.to(staffRoom(streamId)).emit(event, payload) }),
    leaveStream: (userId, streamId) => emitter.in(userRoom(userId)).socketsLeave(streamRoom(streamId)),
  };
}
