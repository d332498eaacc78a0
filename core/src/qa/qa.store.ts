import type { Redis } from 'ioredis';
import type { QuestionPublic, QuestionReward } from '@stickyroom/sdk/protocol';
import type { ErrorCode } from '../errors.js';
import type { Keys } from '../redis/keys.js';
import type { EventGate } from '../redis/event-gate.js';
import { runScript } from '../redis/scripts.js';
import { chatKeys } from '../chat/chat.keys.js';
import { streamKeys } from '../streams/streams.keys.js';
import { QA_ORDER_SPAN, qaKeys } from './qa.keys.js';
import { hashFromPairs } from '../redis/replies.js';
import { Lease } from '../redis/lease.js';

/** A question as stored: what the room sees, plus the reward it was answered with. */
export interface QuestionRecord extends QuestionPublic {
  reward?: QuestionReward;
  rewardDone: boolean;
}

/** Negative script returns -> error codes, per script (the single table the style asks for). */
export const QA_REFUSALS: Record<'ask' | 'upvote' | 'answer', Record<number, { code: ErrorCode; message: string; reason?: string }>> = {
  ask: {
    [-1]: { code: 'not_live', message: 'questions open when the stream is live' },
    [-2]: { code: 'already_done', message: 'you already have an open question; wait until it is answered' },
    [-3]: { code: 'closed', message: 'this stream takes no more questions' },
    [-4]: { code: 'banned', message: 'you are banned from this stream' },
    [-5]: { code: 'muted', message: 'a moderator muted you' },
    [-6]: { code: 'invalid_payload', message: 'the question contains a blocked word', reason: 'blocked_word' },
  },
  upvote: {
    [-1]: { code: 'not_found', message: 'no such question' },
    [-2]: { code: 'not_live', message: 'the stream is not live' },
    [-3]: { code: 'closed', message: 'the question was answered already' },
    [-4]: { code: 'forbidden', message: 'you cannot upvote your own question', reason: 'own_question' },
    [-5]: { code: 'already_done', message: 'you upvoted this question already' },
    [-6]: { code: 'banned', message: 'you are banned from this stream' },
  },
  answer: {
    [-1]: { code: 'not_found', message: 'no such question' },
  },
};


export function parseQuestion(streamId: string, h: Record<string, string>): QuestionRecord | null {
  if (!h.id || !h.userId) return null;
  const q: QuestionRecord = {
    id: h.id,
    streamId,
    userId: h.userId,
    name: h.name ?? h.userId,
    text: h.text ?? '',
    votes: Number(h.votes ?? 0),
    status: h.status === 'answered' ? 'answered' : 'open',
    at: Number(h.at),
    rewardDone: h.rewardDone === '1',
  };
  if (h.answeredAt) q.answeredAt = Number(h.answeredAt);
  if (h.reward) q.reward = JSON.parse(h.reward) as QuestionReward;
  return q;
}

/** The public view: what goes to the room (never the reward bookkeeping). */
export function publicQuestion(q: QuestionRecord): QuestionPublic {
  const { reward: _reward, rewardDone: _done, ...pub } = q;
  return pub;
}

export type ScriptOutcome<T> = { ok: true; value: T } | { ok: false; refusal: number; retryAfterMs?: number };

export class QaStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async ask(q: {
    streamId: string;
    id: string;
    userId: string;
    name: string;
    text: string;
    /** The text as chat's blocked-words rule reads it (see chat.text.ts). */
    words: string;
    at: number;
  }, gate?: EventGate): Promise<ScriptOutcome<QuestionRecord>> {
    const k = qaKeys(this.keys, q.streamId);
    const chat = chatKeys(this.keys, q.streamId);
    const [code, retryAfterMs] = await runScript<[number, number?]>(
      this.redis,
      'qaAsk',
      [streamKeys(this.keys, q.streamId).meta, k.question(q.id), k.open, k.openBy, k.seq, chat.blocked, chat.banned, chat.user(q.userId)],
      [q.id, q.userId, q.name, q.text, q.at, QA_ORDER_SPAN, q.words],
      gate,
    );
    if (code < 0) return { ok: false, refusal: code, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    const { words: _words, ...question } = q;
    return { ok: true, value: { ...question, votes: 0, status: 'open', rewardDone: false } };
  }

  async upvote(streamId: string, questionId: string, viewerId: string, gate?: EventGate): Promise<ScriptOutcome<QuestionRecord>> {
    const k = qaKeys(this.keys, streamId);
    const res = await runScript<number | string[]>(
      this.redis,
      'qaUpvote',
      [streamKeys(this.keys, streamId).meta, k.question(questionId), k.voters(questionId), k.open, chatKeys(this.keys, streamId).banned],
      [questionId, viewerId, QA_ORDER_SPAN],
      gate,
    );
    if (typeof res === 'number') return { ok: false, refusal: res };
    return { ok: true, value: parseQuestion(streamId, hashFromPairs(res))! };
  }

  async markAnswered(
    streamId: string,
    questionId: string,
    by: string,
    at: number,
    reward: QuestionReward | undefined,
  ): Promise<ScriptOutcome<{ changed: boolean; question: QuestionRecord }>> {
    const k = qaKeys(this.keys, streamId);
    const res = await runScript<number | [number, string[]]>(
      this.redis,
      'qaAnswer',
      [k.question(questionId), k.open, k.openBy],
      [questionId, at, by, reward ? JSON.stringify(reward) : ''],
    );
    if (typeof res === 'number') return { ok: false, refusal: res };
    return { ok: true, value: { changed: res[0] === 1, question: parseQuestion(streamId, hashFromPairs(res[1]))! } };
  }

  /** The lease on delivering a question's reward (null while another caller delivers it). */
  rewardLease(streamId: string, questionId: string, ms: number): Promise<Lease | null> {
    return Lease.acquire(this.redis, qaKeys(this.keys, streamId).rewardLease(questionId), ms);
  }

  async rewardDone(streamId: string, questionId: string): Promise<boolean> {
    return (await this.redis.hget(qaKeys(this.keys, streamId).question(questionId), 'rewardDone')) === '1';
  }

  async markRewardDone(streamId: string, questionId: string): Promise<void> {
    await this.redis.hset(qaKeys(this.keys, streamId).question(questionId), 'rewardDone', '1');
  }

  /** Open questions, most votes first, then oldest first. */
  async openQuestions(streamId: string, limit: number): Promise<QuestionRecord[]> {
    const k = qaKeys(this.keys, streamId);
    const ids = await this.redis.zrevrange(k.open, 0, limit - 1);
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hgetall(k.question(id));
    const rows = (await pipe.exec()) ?? [];
    const out: QuestionRecord[] = [];
    for (const [err, h] of rows) {
      if (err) throw err;
      const q = parseQuestion(streamId, h as Record<string, string>);
      if (q) out.push(q);
    }
    return out;
  }
}
