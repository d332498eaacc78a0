import type { RedisClient } from '../redis/client.js';
import { outboxEntryId } from '../outbox/outbox.entry.js';
import type { QuizPublic, QuizResult } from '@stickyroom/sdk/protocol';
import { perContext } from '../context.js';
import type { EventGate } from '../redis/event-gate.js';
import { Lease } from '../redis/lease.js';
import type { Keys } from '../redis/keys.js';
import type { Refused } from '../redis/refusals.js';
import { quizKeys } from './quiz.keys.js';
import { quizAnswer, quizClose, quizCreate, quizPublish } from './quiz.scripts.js';

/** A quiz as stored. The correct option and the coupon live here, never in `public`. */
export interface QuizRecord {
  id: string;
  streamId: string;
  brandId: string;
  question: string;
  options: string[];
  correctOption: number;
  endsAt: number;
  createdAt: number;
  createdBy: string;
  rewardPoints?: number;
  couponFirstN?: number;
  coupon?: { title: string; discount: { type: 'percent' | 'amount'; value: number } };
  public: QuizPublic;
  status: 'open' | 'closed';
  closedAt?: number;
  result?: QuizResult;
  rewardsDone: boolean;
}

export function parseQuiz(streamId: string, h: Record<string, string>): QuizRecord | null {
  if (!h.id || !h.public) return null;
  const q: QuizRecord = {
    id: h.id,
    streamId,
    brandId: h.brandId ?? '',
    question: h.question ?? '',
    options: JSON.parse(h.options ?? '[]') as string[],
    correctOption: Number(h.correctOption),
    endsAt: Number(h.endsAt),
    createdAt: Number(h.createdAt),
    createdBy: h.createdBy ?? '',
    public: JSON.parse(h.public) as QuizPublic,
    status: h.status === 'closed' ? 'closed' : 'open',
    rewardsDone: h.rewardsDone === '1',
  };
  if (h.rewardPoints) q.rewardPoints = Number(h.rewardPoints);
  if (h.couponFirstN) q.couponFirstN = Number(h.couponFirstN);
  if (h.coupon) q.coupon = JSON.parse(h.coupon) as NonNullable<QuizRecord['coupon']>;
  if (h.closedAt) q.closedAt = Number(h.closedAt);
  if (h.result) q.result = JSON.parse(h.result) as QuizResult;
  return q;
}

export interface ClosedQuiz {
  /** True for the one call that closed it. */
  changed: boolean;
  quiz: QuizRecord;
  counts: number[];
  answers: number;
  correct: number;
  /** The first correct viewers, in answer order (as many as asked for). */
  firstCorrect: string[];
}

export class QuizStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Opens the quiz, or answers the refusal (for quiz_open, its detail is the id of the quiz in the way). */
  async create(q: QuizRecord): Promise<Refused | undefined> {
    const fields: Record<string, string | number> = {
      brandId: q.brandId,
      question: q.question,
      options: JSON.stringify(q.options),
      optionCount: q.options.length,
      correctOption: q.correctOption,
      endsAt: q.endsAt,
      createdAt: q.createdAt,
      createdBy: q.createdBy,
      public: JSON.stringify(q.public),
    };
    if (q.rewardPoints !== undefined) fields.rewardPoints = q.rewardPoints;
    if (q.couponFirstN !== undefined) fields.couponFirstN = q.couponFirstN;
    if (q.coupon !== undefined) fields.coupon = JSON.stringify(q.coupon);
    return quizCreate.attempt(this.redis, this.keys, { streamId: q.streamId, quizId: q.id, fields });
  }

  /** Takes the viewer's final answer; throws the refusal. */
  async answer(streamId: string, quizId: string, viewerId: string, option: number, now: number, gate?: EventGate): Promise<void> {
    await quizAnswer.run(this.redis, this.keys, { streamId, quizId, viewerId, option, now }, gate);
  }

  /** Answers so far per option (for the staff's live view; the close reads them atomically itself). */
  async liveCounts(streamId: string, quizId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(quizKeys(this.keys, streamId).counts(quizId));
  }

  /** Closes the quiz (once, with its outbox entry; `changed` only for that call); throws not_found for no such quiz. */
  async close(streamId: string, quizId: string, now: number, reason: string, list: number): Promise<ClosedQuiz> {
    const entry = { kind: 'quiz.result', quizId } as const;
    const res = await quizClose.run(this.redis, this.keys, { streamId, quizId, now, reason, list, entryId: outboxEntryId(entry), entry });
    const quiz = parseQuiz(streamId, res.quiz)!;
    return {
      changed: res.changed,
      quiz,
      counts: quiz.options.map((_, i) => Number(res.counts[String(i)] ?? 0)),
      answers: res.answers,
      correct: res.correct,
      firstCorrect: res.firstCorrect,
    };
  }

  async get(streamId: string, quizId: string): Promise<QuizRecord | null> {
    return parseQuiz(streamId, await this.redis.hgetall(quizKeys(this.keys, streamId).quiz(quizId)));
  }

  /**
   * The quiz part of the `room:join` ack: the open quiz's public view while it takes answers, and the
   * last closed quiz's published result. One round trip when no quiz is open, two while one is.
   */
  async joinView(streamId: string, now: number): Promise<{ open: QuizPublic | null; lastResult: QuizResult | null }> {
    const k = quizKeys(this.keys, streamId);
    const [id, last] = await this.redis.mget(k.open, k.lastResult);
    const lastResult = last ? (JSON.parse(last) as QuizResult) : null;
    if (!id) return { open: null, lastResult };
    const [status, endsAt, pub] = await this.redis.hmget(k.quiz(id), 'status', 'endsAt', 'public');
    const open = status === 'open' && pub && Number(endsAt) > now ? (JSON.parse(pub) as QuizPublic) : null;
    return { open, lastResult };
  }

  async openQuizId(streamId: string): Promise<string | null> {
    return this.redis.get(quizKeys(this.keys, streamId).open);
  }

  /**
   * Stores the result unless one is stored already, and makes it the stream's last result (the join
   * ack's) unless a quiz closed later has one; answers the result that stands (what every delivery pushes).
   */
  async publishResult(streamId: string, quizId: string, result: QuizResult): Promise<QuizResult> {
    const res = await quizPublish.run(this.redis, this.keys, { streamId, quizId, result: JSON.stringify(result) });
    return res.stored ? result : (JSON.parse(res.result) as QuizResult);
  }

  async storedResult(streamId: string, quizId: string): Promise<QuizResult | null> {
    const raw = await this.redis.hget(quizKeys(this.keys, streamId).quiz(quizId), 'result');
    return raw ? (JSON.parse(raw) as QuizResult) : null;
  }

  /** Correct viewers from `start`, in answer order. */
  correctViewers(streamId: string, quizId: string, start: number, count: number): Promise<string[]> {
    return this.redis.lrange(quizKeys(this.keys, streamId).correct(quizId), start, start + count - 1);
  }

  /** Marks viewers' rewards as delivered; returns, for each, whether this call was the first to mark it. */
  async claimDelivery(streamId: string, quizId: string, viewerIds: string[]): Promise<boolean[]> {
    const key = quizKeys(this.keys, streamId).delivered(quizId);
    const pipe = this.redis.pipeline();
    for (const v of viewerIds) pipe.sadd(key, v);
    const rows = (await pipe.exec()) ?? [];
    return rows.map(([err, n]) => {
      if (err) throw err;
      return n === 1;
    });
  }

  /** The lease on delivering a quiz's rewards (null while another caller delivers them). */
  deliveryLease(streamId: string, quizId: string, ms: number): Promise<Lease | null> {
    return Lease.acquire(this.redis, this.keys, quizKeys(this.keys, streamId).lease(quizId), ms);
  }

  async rewardsDone(streamId: string, quizId: string): Promise<boolean> {
    return (await this.redis.hget(quizKeys(this.keys, streamId).quiz(quizId), 'rewardsDone')) === '1';
  }

  async markRewardsDone(streamId: string, quizId: string): Promise<void> {
    await this.redis.hset(quizKeys(this.keys, streamId).quiz(quizId), 'rewardsDone', '1');
  }
}

export const quizStore = perContext((ctx) => new QuizStore(ctx.redis, ctx.keys));
