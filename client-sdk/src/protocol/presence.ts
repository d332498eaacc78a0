import { z } from 'zod';
import { StreamId } from './common.js';

/** The SDK sends one every 15 s per joined stream (and at once when the page is hidden or shown). */
export const HEARTBEAT_INTERVAL_MS = 15_000;

/** Watch time is credited for the gap since the viewer's previous visible heartbeat only up to this. */
export const MAX_CREDIT_GAP_MS = 2 * HEARTBEAT_INTERVAL_MS;

/** A viewer counts as present (concurrent) for this long after their last join or heartbeat. */
export const PRESENCE_WINDOW_MS = 45_000;

/** `visible: false` (page hidden) keeps the viewer present but credits no watch time. */
export const Heartbeat = z.object({ streamId: StreamId, visible: z.boolean() }).strict();

export const presenceRequests = {
  'presence:heartbeat': Heartbeat,
} as const;

export interface PresenceReplies {
  'presence:heartbeat': Record<string, never>;
}

/** Live counts arrive as `room:stats` (see room.ts). */
export interface PresencePushes {}
