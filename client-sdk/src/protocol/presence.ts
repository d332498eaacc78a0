import { z } from 'zod';
import { StreamId } from './common.js';

export { HEARTBEAT_INTERVAL_MS, MAX_CREDIT_GAP_MS, PRESENCE_WINDOW_MS } from './constants.js';

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
