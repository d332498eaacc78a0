import type { JoinData } from '@stickyroom/sdk/protocol';
import { streamRoom } from '../../../../core/src/context.js';
import { ANYONE, defineHandler } from '../../io/handler.js';
import { getStream } from '../../../../core/src/streams/streams.service.js';
import type { Feature, JoinPart } from '../types.js';

/** `room:join` asks every feature for its part of the snapshot; this list is set by the composition root. */
export function roomHandlers(features: () => readonly Feature[]) {
  return [
    defineHandler('room:join', { roles: ANYONE }, async ({ ctx, user, socket }, { streamId, lastMessageId }) => {
      const stream = await getStream(ctx, streamId);
      // Refusals (a ban) come before any feature records the join (presence, unique viewers).
      await Promise.all(features().map((f) => f.beforeJoin?.(ctx, stream, user)));
      // Join first, then read the snapshot: a message sent in between arrives twice rather than never,
      // and the SDK drops the duplicate by id.
      await socket.join(streamRoom(streamId));
      socket.data.streams.add(streamId);
      try {
        const parts = await Promise.all(features().map((f) => f.onJoin?.(ctx, stream, user, { lastMessageId }) ?? {}));
        const data: JoinData = {
          stream: { ...stream },
          viewers: 0,
          chat: [],
          drops: [],
        };
        return mergeParts(data, parts);
      } catch (err) {
        socket.data.streams.delete(streamId);
        await socket.leave(streamRoom(streamId));
        throw err;
      }
    }),
    defineHandler('room:leave', { roles: ANYONE }, async ({ socket }, { streamId }) => {
      socket.data.streams.delete(streamId);
      await socket.leave(streamRoom(streamId));
      return {};
    }),
  ];
}

/** Merges the features' parts; `pinned` is shared (chat pins a message, products a product), so it merges per field. */
function mergeParts(data: JoinData, parts: JoinPart[]): JoinData {
  for (const part of parts) {
    const { pinned, ...rest } = part;
    Object.assign(data, rest);
    if (pinned) data.pinned = { ...data.pinned, ...pinned };
  }
  return data;
}
