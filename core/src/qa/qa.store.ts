import type { RedisClient } from '../redis/client.js';
import type { QuestionPublic, QuestionReward } from '@stickyroom/sdk/protocol';
import type { EventGate } from '../redis/event-gate.js';
import { Lease } from '../redis/lease.js';
import type { Keys } from '../redis/keys.js';
import { qaKeys } from './qa.keys.js';
import { qaAnswer, qaAsk, qaUpvote, type AskArgs } from './qa.scripts.js';

/** A question as stored: what the room sees, plus the reward it was answered with. */
export interface QuestionRecord extends QuestionPublic {
  reward?: QuestionReward;
  rewardDone: boolean;
}

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

export class QaStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Adds the question (throws the refusal) and answers it as stored. */
  async ask(q: AskArgs, gate?: EventGate): Promise<QuestionRecord> {
    await qaAsk.run(this.redis, this.keys, q, gate);
    const { words: _words, ...question } = q;
    return { ...question, votes: 0, status: 'open', rewardDone: false };
  }

  /** One upvote (throws the refusal); answers the question after it. */
  async upvote(streamId: string, questionId: string, viewerId: string, now: number, gate?: EventGate): Promise<QuestionRecord> {
    return parseQuestion(streamId, await qaUpvote.run(this.redis, this.keys, { streamId, questionId, viewerId, now }, gate))!;
  }

  async get(streamId: string, questionId: string): Promise<QuestionRecord | null> {
    return parseQuestion(streamId, await this.redis.hgetall(qaKeys(this.keys, streamId).question(questionId)));
  }

  /** Marks the question answered (once) with its reward and its outbox entry; `changed` only for the call that did. */
  async markAnswered(
    streamId: string,
    questionId: string,
    by: string,
    at: number,
    reward: QuestionReward | undefined,
  ): Promise<{ changed: boolean; question: QuestionRecord }> {
    const { changed, fields } = await qaAnswer.run(this.redis, this.keys, { streamId, questionId, at, by, reward });
    return { changed, question: parseQuestion(streamId, fields)! };
  }

  /** The lease on delivering a question's reward (null while another caller delivers it). */
  rewardLease(streamId: string, questionId: string, ms: number): Promise<Lease | null> {
    return Lease.acquire(this.redis, this.keys, qaKeys(this.keys, streamId).rewardLease(questionId), ms);
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
