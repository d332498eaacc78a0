import { z } from 'zod';
import { StreamId } from './common.js';

import { REACTION_KINDS } from './constants.js';

export { REACTION_KINDS };
export const ReactionKind = z.enum(REACTION_KINDS);

/**
 * `count` lets a client send a burst of taps as one event (1–50). The server coalesces on top of that.
 *
 * @example
 * await viewer.react(streamId, 'like');        // one tap
 * await viewer.react(streamId, 'fire', 12);    // twelve taps gathered by the page
 */
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
  /**
   * Running totals per kind for the stream, at most twice a second (also in the `room:join` ack as `reactions`).
   *
   * @example
   * viewer.on('reaction:totals', (e) => e.streamId === streamId && render(e.totals.like ?? 0));
   */
  'reaction:totals': (e: { streamId: string; totals: Record<string, number> }) => void;
}
