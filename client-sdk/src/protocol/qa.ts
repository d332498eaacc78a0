import { z } from 'zod';
import { Id, ScopedId, StreamId } from './common.js';
import { userText } from './text.js';
import { CHAT_MAX_CHARS } from './chat.js';
import { CouponSpec } from './coupons.js';

/** At most this many open questions (most votes first) come with the `room:join` ack. */
export const QA_JOIN_QUESTIONS = 100;

export const QuestionPublic = z.object({
  /** `<streamId>.<random>`: the stream is part of the id, so `qa:upvote` needs nothing else. */
  id: z.string(),
  streamId: StreamId,
  userId: Id,
  name: z.string(),
  text: z.string(),
  votes: z.number().int(),
  status: z.enum(['open', 'answered']),
  at: z.number().int(),
  /** When a streamer or moderator marked it answered. */
  answeredAt: z.number().int().optional(),
});
export type QuestionPublic = z.infer<typeof QuestionPublic>;

const QuestionId = ScopedId;

export const QaAsk = z.object({ streamId: StreamId, text: userText(CHAT_MAX_CHARS) }).strict();
export const QaUpvote = z.object({ questionId: QuestionId }).strict();

/**
 * What the asker of an answered question receives: loyalty points of the stream's brand and/or a coupon
 * minted for them alone (no stock of a drop is taken).
 */
export const QuestionReward = z
  .object({
    points: z.number().int().min(1).max(1_000_000).optional(),
    coupon: CouponSpec.optional(),
  })
  .strict()
  .refine((r) => r.points !== undefined || r.coupon !== undefined, { message: 'a reward has points, a coupon, or both' });
export type QuestionReward = z.infer<typeof QuestionReward>;

export const QaAnswered = z.object({ questionId: QuestionId, reward: QuestionReward.optional() }).strict();

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
  /** A new question, to the whole room. */
  'qa:question': (question: QuestionPublic) => void;
  /** A question's votes or status changed, to the whole room. */
  'qa:updated': (question: QuestionPublic) => void;
}
