import { z } from 'zod';
import { PUSH_NAMES } from '@stickyroom/sdk/protocol';
import { staffRoom, streamRoom, userRoom, type Emitter, type Pusher } from '../pusher.js';

/**
 * A push made outside the server nodes (by the worker), as published on `Keys.pushChannel`. Every server
 * node hears it and hands it to its own sockets only, so it reaches every viewer whatever adapter the
 * nodes use between themselves (the Socket.IO emitter speaks only the classic adapter's format).
 */
const Room = z.string().min(1).max(300);
/** One room, or several (a targeted push reaches each socket of any of them once). */
const Rooms = z.union([Room, z.array(Room).min(1).max(1000)]);

export const RelayedPush = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('emit'), room: Rooms, except: z.array(Room).max(1000).optional(), event: z.enum(PUSH_NAMES), payload: z.unknown() }),
  z.object({ kind: z.literal('leave'), room: z.string().min(1).max(300), leave: Rooms }),
]);
export type RelayedPush = z.infer<typeof RelayedPush>;

/**
 * A Pusher that publishes every push on the relay channel. `publish` is fire-and-forget: give its client
 * `handleRejections` so a push during an outage is dropped with a warning, never an unhandled rejection.
 * What must arrive is in an outbox and delivered again (DESIGN §10).
 */
export function relayPusher(publish: (message: string) => unknown): Pusher {
  const send = (m: RelayedPush) => void publish(JSON.stringify(m));
  const emitTo = (room: string | string[], except: readonly string[] | undefined): Emitter => ({
    emit: (event, payload) => send(except?.length ? { kind: 'emit', room, except: [...except], event, payload } : { kind: 'emit', room, event, payload }),
  });
  return {
    toStream: (streamId, except) => emitTo(streamRoom(streamId), except),
    toUser: (userId) => ({ emit: (event, payload) => send({ kind: 'emit', room: userRoom(userId), event, payload }) }),
    toStaff: (streamId) => ({ emit: (event, payload) => send({ kind: 'emit', room: staffRoom(streamId), event, payload }) }),
    toRooms: (rooms, except) => emitTo([...rooms], except),
    localAudience: () => 0,
    localBacklog: () => 0,
    leaveStream: (userId, streamId, also = []) =>
      send({ kind: 'leave', room: userRoom(userId), leave: also.length ? [streamRoom(streamId), ...also] : streamRoom(streamId) }),
  };
}

/** Parses a message of the relay channel; anything else on it is ignored (null). */
export function parseRelayed(message: string): RelayedPush | null {
  try {
    const parsed = RelayedPush.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
