import type { Keys } from '../redis/keys.js';

/** Quizzes of one stream; all in the stream's slot so one script can check and change them. */
export const quizKeys = (k: Keys, streamId: string) => ({
  /** STRING: id of the stream's open quiz (one at a time). */
  open: k.stream(streamId, 'quiz', 'open'),
  /** STRING: the result (QuizResult JSON) of the stream's last closed quiz, once published; the join ack carries it. */
  lastResult: k.stream(streamId, 'quiz', 'last-result'),
  /**
   * HASH per quiz: id, question, options (JSON), optionCount, correctOption, endsAt, createdAt, createdBy,
   * rewardPoints, couponFirstN, coupon (JSON), public (QuizPublic JSON: what viewers may see), status,
   * closedAt, closeReason, result (QuizResult JSON once published), rewardsDone.
   */
  quiz: (quizId: string) => k.stream(streamId, 'quiz', 'q', quizId),
  /** HASH viewerId -> option: one final answer per viewer. */
  answers: (quizId: string) => k.stream(streamId, 'quiz', 'answers', quizId),
  /** HASH option index -> answers, kept as answers arrive so the close is O(options). */
  counts: (quizId: string) => k.stream(streamId, 'quiz', 'counts', quizId),
  /** LIST of viewers who answered correctly, in the order the answer script accepted them. */
  correct: (quizId: string) => k.stream(streamId, 'quiz', 'correct', quizId),
  /** STRING with a PX expiry: the token of the one caller delivering the quiz's rewards. */
  lease: (quizId: string) => k.stream(streamId, 'quiz', 'lease', quizId),
  /** SET of correct viewers whose reward push and activity are done (each once, even across a crash). */
  delivered: (quizId: string) => k.stream(streamId, 'quiz', 'delivered', quizId),
});
