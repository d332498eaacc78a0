import { defineHandler, STREAMER } from '../../io/handler.js';
import { endStream, startStream } from '../../../../core/src/streams/streams.service.js';

export const streamHandlers = [
  defineHandler('stream:start', { roles: STREAMER }, async ({ ctx, user }, { streamId }) => ({
    stream: await startStream(ctx, user, streamId),
  })),
  defineHandler('stream:end', { roles: STREAMER }, async ({ ctx, user }, { streamId }) => ({
    stream: await endStream(ctx, user, streamId),
  })),
];
