import { z } from 'zod';
import { StreamId } from './common.js';

export const REACTION_KINDS = ['like', 'heart', 'fire', 'clap', 'wow'] as const;
export const ReactionKind = z.enum(REACTION_KINDS);

export const ReactionSend = z
  .object({ streamId: StreamId, kind: ReactionKind, count: z.number().int().min(1).max(50).optional() })
  .strict();

export const reactionRequests = {
  'reaction:send': ReactionSend,
} as const;

export interface ReactionReplies {
  'reaction:send': Record<string, never>;
}

export interface ReactionPushes {
  /** Running totals per kind for the stream, at most twice a second. */
  'reaction:totals': (e: { streamId: string; totals: Record<string, number> }) => void;
}
