import { z } from 'zod';
import { ScopedId, StreamId, type Announced } from './common.js';
import { userText } from './text.js';
import { CouponSpec } from './coupons.js';

export { quizResultAnnouncementId } from './constants.js';

export const QuizCreate = z
  .object({
    streamId: StreamId,
    question: userText(300),
    options: z.array(userText(120)).min(2).max(6),
    correctOption: z.number().int().min(0).max(5),
    durationSec: z.number().int().min(1).max(3600),
    reward: z
      .object({
        points: z.number().int().min(1).max(1_000_000).optional(),
        couponFirstN: z.number().int().min(1).max(100_000).optional(),
        coupon: CouponSpec.optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .refine((q) => q.correctOption < q.options.length, {
    message: 'correctOption must index one of the options',
    path: ['correctOption'],
  })
  .refine((q) => (q.reward.couponFirstN === undefined) === (q.reward.coupon === undefined), {
    message: 'couponFirstN and coupon go together',
    path: ['reward'],
  });

export const QuizAnswer = z.object({ quizId: ScopedId, option: z.number().int().min(0).max(5) }).strict();
export const QuizClose = z.object({ quizId: ScopedId }).strict();

/** How many rewarded viewers a `quiz:result` lists by name (in answer order); `rewardedTotal` counts them all. */
export const QUIZ_RESULT_LISTED = 100;

/** What viewers may see of an open quiz: never the correct option. */
export interface QuizPublic {
  /** `<streamId>.<random>`: the stream is part of the id, so `quiz:answer` needs nothing else. */
  id: string;
  streamId: string;
  question: string;
  options: string[];
  endsAt: number;
  reward: {
    /** Points for every correct answer. */
    points?: number;
    /** The first `couponFirstN` correct answers (in the order the server accepted them) win `coupon`. */
    couponFirstN?: number;
    coupon?: { title: string; discount: { type: 'percent' | 'amount'; value: number } };
  };
}

export interface QuizResult {
  quizId: string;
  streamId: string;
  question: string;
  options: string[];
  correctOption: number;
  /** Answers per option, index for index with `options`. */
  counts: number[];
  /** Viewers who answered, and how many of them were right. */
  answers: number;
  correct: number;
  closedAt: number;
  /**
   * Rewarded viewers in the order their answers were accepted (coupon winners first), at most
   * QUIZ_RESULT_LISTED of them. `points` is the quiz's award; the private `reward:granted` says what
   * was credited after the brand's per-stream caps.
   */
  rewarded: { userId: string; points?: number; coupon?: boolean }[];
  rewardedTotal: number;
}

export const quizRequests = {
  'quiz:create': QuizCreate,
  'quiz:answer': QuizAnswer,
  'quiz:close': QuizClose,
} as const;

export interface QuizReplies {
  'quiz:create': { quiz: { id: string; endsAt: number } };
  'quiz:answer': Record<string, never>;
  'quiz:close': { result: QuizResult };
}

export interface QuizPushes {
  'quiz:started': (quiz: QuizPublic) => void;
  'quiz:result': (result: QuizResult & Announced) => void;
  /**
   * To the stream's staff only, while the quiz is open: answers so far per option, at most twice a second
   * per node. Viewers never get it: the counts would hint at the answer before the close.
   */
  'quiz:answers': (e: { quizId: string; streamId: string; counts: number[]; answers: number }) => void;
}
