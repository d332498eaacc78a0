import { z } from 'zod';
import { Id, StreamId, Timestamp } from './common.js';
import { userText } from './text.js';
import { SurveySettingsInput } from './survey.js';

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

/**
 * HTTP `POST /api/streams` body. `brandId` names the stream's brand: required of an admin token without a
 * `brandId` claim; a streamer may leave it out or repeat its own brand, never name another.
 */
export const CreateStreamBody = z
  .object({
    title: userText(200),
    brandId: Id.optional().describe("The stream's brand: required for an admin token without a brandId claim; a streamer's must be its own"),
    /** The post-stream survey's settings (see `stream:survey`); what is left out takes the config's defaults. */
    survey: SurveySettingsInput.optional(),
  })
  .strict();

/** HTTP `GET /api/streams` query: the caller's brand's streams, newest first. */
export const ListStreamsQuery = z
  .object({
    status: StreamStatus.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    /** The `nextCursor` of the previous page (opaque). */
    cursor: z.string().regex(/^\d{1,9}$/).optional(),
    /** The brand, for an admin token (staff list their own brand's streams). */
    brandId: Id.optional(),
  })
  .strict();

export const StreamList = z.object({ streams: z.array(Stream), nextCursor: z.string().nullable() });
export type StreamList = z.infer<typeof StreamList>;

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
