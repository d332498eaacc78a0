import { joinSnapshot, refuseJoin } from '../../../../core/src/room/room.join.js';
import { joinRead } from '../../../../core/src/room/join-reads.js';
import { canControlBrand } from '../../../../core/src/identity/tokens.js';
import { staffRoom, streamRoom } from '../../../../core/src/pusher.js';
import { getStream } from '../../../../core/src/streams/streams.service.js';
import { ANYONE, defineHandler } from '../../io/handler.js';

/** `room:join` asks every domain feature for its part of the snapshot (core/src/room/room.join.ts). */
export const roomHandlers = [
  defineHandler('room:join', { roles: ANYONE }, async ({ ctx, user, socket }, { streamId, lastMessageId }) => {
    // one read of the stream for the joins of this moment (a join storm when the stream goes live)
    const stream = await joinRead(ctx, streamId, 'stream', () => getStream(ctx, streamId));
    // Refusals (a ban) come before any feature records the join (presence, unique viewers).
    await refuseJoin(ctx, stream, user);
    // Join first, then read the snapshot: a message sent in between arrives twice rather than never,
    // and the SDK drops the duplicate by id.
    await socket.join(streamRoom(streamId));
    // the stream's own staff also get the pushes only they may see (live quiz and entrant counts)
    if (canControlBrand(user, stream.brandId)) await socket.join(staffRoom(streamId));
    socket.data.streams.add(streamId);
    try {
      return await joinSnapshot(ctx, stream, user, { lastMessageId });
    } catch (err) {
      socket.data.streams.delete(streamId);
      await socket.leave(streamRoom(streamId));
      throw err;
    }
  }),
  defineHandler('room:leave', { roles: ANYONE }, async ({ socket }, { streamId }) => {
    socket.data.streams.delete(streamId);
    await socket.leave(streamRoom(streamId));
    await socket.leave(staffRoom(streamId));
    return {};
  }),
];
