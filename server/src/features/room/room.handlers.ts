import type { ReferralStatus } from '@stickyroom/sdk/protocol';
import { joinSnapshot, refuseJoin } from '../../../../core/src/room/room.join.js';
import { joinRead } from '../../../../core/src/room/join-reads.js';
import { canControlBrand } from '../../../../core/src/identity/tokens.js';
import { staffRoom, streamRoom } from '../../../../core/src/pusher.js';
import { getStream } from '../../../../core/src/streams/streams.service.js';
import { audienceRoom, viewerStanding, type Standing } from '../../../../core/src/audience/audience.service.js';
import { joinWithReferral } from '../../../../core/src/referrals/referrals.service.js';
import { AppError } from '../../../../core/src/errors.js';
import { ANYONE, defineHandler } from '../../io/handler.js';
import type { AppSocket } from '../../io/handler.js';

/**
 * Takes the socket out of the stream's audience room (the one its standing put it in). A promise only when the
 * adapter answers with one (a join storm awaits nothing per join where nothing waits).
 */
function leaveAudienceRooms(socket: AppSocket, streamId: string): Promise<unknown> | undefined {
  const prefix = `aud:${streamId}:`;
  let rooms: string[] | undefined;
  for (const room of socket.rooms) if (room.startsWith(prefix)) (rooms ??= []).push(room);
  if (!rooms) return undefined;
  let pending: Promise<void>[] | undefined;
  for (const room of rooms) {
    const left = socket.leave(room);
    if (left) (pending ??= []).push(left);
  }
  return pending && Promise.all(pending);
}

const ignore = () => {};

/** Streams a socket remembers leaving (SocketData.leftAt): enough for any client's join and leave in flight. */
const LEFT_REMEMBERED = 16;

/** Notes that the socket asked to leave `streamId` at `arrival`. */
function noteLeave(socket: AppSocket, streamId: string, arrival: number): void {
  const left = (socket.data.leftAt ??= new Map());
  left.delete(streamId);
  left.set(streamId, arrival);
  if (left.size > LEFT_REMEMBERED) left.delete(left.keys().next().value!);
}

/** `room:join` asks every domain feature for its part of the snapshot (core/src/room/room.join.ts). */
export const roomHandlers = [
  defineHandler('room:join', { roles: ANYONE, concurrency: (config) => config.JOIN_CONCURRENCY }, async ({ ctx, user, socket, arrival }, { streamId, lastMessageId, ref }) => {
    // one read of the stream for the joins of this moment (a join storm when the stream goes live)
    const streamRead = joinRead(ctx, streamId, 'stream', () => getStream(ctx, streamId));
    // Refusals (a ban) come before any feature records the join (presence, unique viewers); their reads go
    // out beside the stream's.
    const refused = refuseJoin(ctx, streamId, streamRead, user);
    refused?.catch(ignore); // awaited below unless the stream is not found first
    const stream = await streamRead;
    const staff = canControlBrand(user, stream.brandId);
    // A viewer's standing (segment at the stream's start, points tier) decides which targeted drops,
    // lotteries and polls they see: read it beside the refusals, it is cached for their claims after.
    const standingRead: Promise<Standing> | undefined = staff ? undefined : viewerStanding(ctx, stream, user.id);
    standingRead?.catch(ignore); // awaited below unless the join is refused first
    if (refused) await refused;
    // A referral is decided before presence records this viewer in the stream (a re-join credits nothing).
    let referral: ReferralStatus | undefined;
    if (ref) {
      referral = await joinWithReferral(ctx, stream, user, ref).catch((err: unknown) => {
        ctx.log.warn({ err, streamId, userId: user.id }, 'referral not decided; the join goes on');
        return undefined;
      });
    }
    const standing = await standingRead;
    // A socket that disconnected during the reads is owed nothing: socket.io already ignores its room joins, and
    // presence must not count a viewer who is gone.
    if (socket.disconnected) throw new AppError('conflict', 'the socket disconnected before its join was done');
    // A leave the socket sent after this join (it waited for a turn, or for its reads) came first: the viewer
    // has left, and joining now would put them back in the room.
    if ((socket.data.leftAt?.get(streamId) ?? 0) > arrival) throw new AppError('conflict', 'the stream was left before this join was done');
    // Join first, then read the snapshot: a message sent in between arrives twice rather than never,
    // and the SDK drops the duplicate by id.
    // (the adapters answer a join with a promise or not at all: awaited only when there is one)
    const inRoom = socket.join(streamRoom(streamId));
    if (inRoom) await inRoom;
    // the stream's own staff also get the pushes only they may see (live quiz and entrant counts) and
    // every targeted push; a viewer joins the one audience room of their standing (core/src/audience)
    if (staff) await socket.join(staffRoom(streamId));
    if (standing) {
      const left = leaveAudienceRooms(socket, streamId);
      if (left) await left;
      const inAudience = socket.join(audienceRoom(streamId, standing));
      if (inAudience) await inAudience;
    }
    socket.data.streams.add(streamId);
    try {
      const data = await joinSnapshot(ctx, stream, user, { lastMessageId, standing });
      if (referral) data.referral = { status: referral };
      return data;
    } catch (err) {
      socket.data.streams.delete(streamId);
      await socket.leave(streamRoom(streamId));
      await leaveAudienceRooms(socket, streamId);
      throw err;
    }
  }),
  defineHandler('room:leave', { roles: ANYONE }, async ({ socket, arrival }, { streamId }) => {
    noteLeave(socket, streamId, arrival);
    socket.data.streams.delete(streamId);
    await socket.leave(streamRoom(streamId));
    await socket.leave(staffRoom(streamId));
    await leaveAudienceRooms(socket, streamId);
    return {};
  }),
];
