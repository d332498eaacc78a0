import { z } from 'zod';
import { Id, StreamId, userText } from './common.js';
import { CHAT_MAX_CHARS } from './chat.js';

export const QuestionPublic = z.object({
  id: z.string(),
  streamId: StreamId,
  userId: Id,
  name: z.string(),
  text: z.string(),
  votes: z.number().int(),
  status: z.enum(['open', 'answered']),
  at: z.number().int(),
});
export type QuestionPublic = z.infer<typeof QuestionPublic>;

export const QaAsk = z.object({ streamId: StreamId, text: userText(CHAT_MAX_CHARS) }).strict();
export const QaUpvote = z.object({ questionId: z.string().min(1).max(64) }).strict();
export const QaAnswered = z
  .object({
    questionId: z.string().min(1).max(64),
    reward: z
      .object({
        points: z.number().int().min(1).max(1_000_000).optional(),
        /** Id of an open coupon drop of this stream whose code the asker receives. */
        couponDropId: z.string().min(1).max(64).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const qaRequests = {
  'qa:ask': QaAsk,
  'qa:upvote': QaUpvote,
  'qa:answered': QaAnswered,
} as const;

export interface QaReplies {
  'qa:ask': { question: QuestionPublic };
  'qa:upvote': { votes: number };
  'qa:answered': { question: QuestionPublic };
}

export interface QaPushes {
  'qa:question': (question: QuestionPublic) => void;
  'qa:updated': (question: QuestionPublic) => void;
}
