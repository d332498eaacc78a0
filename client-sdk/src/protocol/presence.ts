import { z } from 'zod';
import { StreamId } from './common.js';

/** The SDK sends one every 15 s per joined stream. */
export const HEARTBEAT_INTERVAL_MS = 15_000;

export const Heartbeat = z.object({ streamId: StreamId, visible: z.boolean() }).strict();

export const presenceRequests = {
  'presence:heartbeat': Heartbeat,
} as const;

export interface PresenceReplies {
  'presence:heartbeat': Record<string, never>;
}

export interface PresencePushes {}
