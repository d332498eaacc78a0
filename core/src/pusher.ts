import type { PushName, PushPayload } from '@stickyroom/sdk/protocol';

export interface Emitter {
  emit<E extends PushName>(event: E, payload: PushPayload<E>): void;
}

/**
 * Pushes to a stream's room or to one user, on every server node. A server node implements it over its
 * Socket.IO server, the worker by publishing what every node relays to its sockets, so the domain runs the same in either process and
 * never learns which transport carries its pushes.
 */
export interface Pusher {
  /** The stream's room; `except`: rooms whose sockets are left out (each node leaves out its own members). */
  toStream(streamId: string, except?: readonly string[]): Emitter;
  toUser(userId: string): Emitter;
  /** The staff of a stream who joined it (see `staffRoom`): pushes viewers must not see. */
  toStaff(streamId: string): Emitter;
  /**
   * One of `phases` near-equal parts of the stream's room, the same parts on every node (a socket's part
   * follows from its id). Only where the node can deliver so; a big room's chat goes to one part at a time.
   */
  toStreamPhase?(streamId: string, phase: number, phases: number): Emitter;
  /** Several rooms at once, each socket once (a targeted push: the audience rooms and the staff, see core/src/audience). */
  toRooms(rooms: readonly string[], except?: readonly string[]): Emitter;
  /**
   * How many sockets of this node are in the stream's room (0 where no sockets are held, as in the worker):
   * what a push to the room costs this node in frames.
   */
  localAudience(streamId: string): number;
  /**
   * Socket writes of broadcasts this node has queued and not made yet (0 where no sockets are held): a big
   * room's delivery runs in chunks, so a push that can wait (the next chat batch) waits for them.
   */
  localBacklog(): number;
  /** Takes every socket of a user, on every node, out of a stream's room and the `also` rooms (a ban). */
  leaveStream(userId: string, streamId: string, also?: readonly string[]): void;
}

/** The room names every Pusher addresses: a stream's viewers, and every socket of one user. */
export const streamRoom = (streamId: string): string => `s:${streamId}`;
export const userRoom = (userId: string): string => `u:${userId}`;
/** The stream's own staff (its brand's streamer and moderators, admins) who joined it. */
export const staffRoom = (streamId: string): string => `staff:${streamId}`;
/**
 * The sockets of a node whose claim of a drop was answered `sold_out`: that ack told them the drop ended
 * (the SDK tells its app `coupon:ended` itself), so the sell-out's room-wide `coupon:ended` leaves them out
 * (`except`). Never pushed to. See server/src/features/coupons/sold-out-told.ts.
 */
export const soldOutToldRoom = (dropId: string): string => `told:${dropId}`;
