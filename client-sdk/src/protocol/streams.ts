import { z } from 'zod';
import { Id, StreamId, Timestamp } from './common.js';
import { userText } from './text.js';

export const StreamStatus = z.enum(['scheduled', 'live', 'ended']);
export type StreamStatus = z.infer<typeof StreamStatus>;

export const Stream = z.object({
  id: StreamId,
  title: z.string(),
  brandId: Id,
  status: StreamStatus,
  createdBy: Id,
  createdAt: Timestamp,
  startedAt: Timestamp.optional(),
  endedAt: Timestamp.optional(),
});
export type Stream = z.infer<typeof Stream>;

/** HTTP `POST /api/streams` body. */
export const CreateStreamBody = z.object({ title: userText(200) }).strict();

export const StreamRef = z.object({ streamId: StreamId }).strict();

export const streamRequests = {
  'stream:start': StreamRef,
  'stream:end': StreamRef,
} as const;

export interface StreamReplies {
  'stream:start': { stream: Stream };
  'stream:end': { stream: Stream };
}

export interface StreamPushes {
  'stream:state': (state: { stream: Stream }) => void;
}
