import { z } from 'zod';
import { lotteryDrawnAnnouncementId, quizResultAnnouncementId } from '@stickyroom/sdk/protocol';

/**
 * What a stream's outbox holds: a committed result whose announcement (pushes, effects in other slots,
 * follow-up jobs) is still due. Written by the script that commits the result, removed once delivered.
 * `counted`: the in-slot effects of the delivery (activity) are done, so a second delivery skips them.
 */
export const OutboxEntry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('lottery.drawn'), lotteryId: z.string(), counted: z.boolean().optional() }),
  z.object({ kind: z.literal('quiz.result'), quizId: z.string() }),
  /** A poll closed: its final counts to the room. */
  z.object({ kind: z.literal('poll.closed'), pollId: z.string() }),
  /** A question answered with a reward: the reward's grant and its private push. */
  z.object({ kind: z.literal('question.reward'), questionId: z.string() }),
  /** The stream ended: its features' end hooks (idempotent) and the finalize job. */
  z.object({ kind: z.literal('stream.ended') }),
]);
export type OutboxEntry = z.infer<typeof OutboxEntry>;

/** One id per announcement, the same on every delivery: the entry's field, its job id, the pushes' announcementId. */
export function outboxEntryId(e: OutboxEntry, streamId = ''): string {
  switch (e.kind) {
    case 'lottery.drawn':
      return lotteryDrawnAnnouncementId(e.lotteryId);
    case 'quiz.result':
      return quizResultAnnouncementId(e.quizId);
    case 'poll.closed':
      return `poll.closed.${e.pollId}`;
    case 'question.reward':
      return `question.reward-${e.questionId}`;
    case 'stream.ended':
      return `stream.ended-${streamId}`;
  }
}
