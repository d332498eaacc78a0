import { perContext } from '../context.js';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { activityKeys } from '../activity/activity.keys.js';
import { scanHash } from '../redis/replies.js';
import { surveyKeys } from './survey.keys.js';
import { surveyAnswer } from './survey.scripts.js';

/** What `stream:survey` may set; absent: the config's default. */
export interface SurveySettingsStored {
  enabled?: boolean;
  question?: string;
  minWatchMin?: number;
  windowHours?: number;
}

/** A survey as opened at the stream's end. */
export interface OpenSurvey {
  question: string;
  minWatchMs: number;
  openedAt: number;
  closesAt: number;
}

/** One viewer's answer as stored (and exported). */
export interface SurveyAnswerRecord {
  score: number;
  comment?: string;
  at: number;
}

export class SurveyStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async settings(streamId: string): Promise<SurveySettingsStored> {
    const h = await this.redis.hgetall(surveyKeys(this.keys, streamId).settings);
    const out: SurveySettingsStored = {};
    if (h.enabled !== undefined) out.enabled = h.enabled === '1';
    if (h.question !== undefined) out.question = h.question;
    if (h.minWatchMin !== undefined) out.minWatchMin = Number(h.minWatchMin);
    if (h.windowHours !== undefined) out.windowHours = Number(h.windowHours);
    return out;
  }

  async saveSettings(streamId: string, change: SurveySettingsStored): Promise<void> {
    const fields: Record<string, string | number> = {};
    if (change.enabled !== undefined) fields.enabled = change.enabled ? 1 : 0;
    if (change.question !== undefined) fields.question = change.question;
    if (change.minWatchMin !== undefined) fields.minWatchMin = change.minWatchMin;
    if (change.windowHours !== undefined) fields.windowHours = change.windowHours;
    if (Object.keys(fields).length) await this.redis.hset(surveyKeys(this.keys, streamId).settings, fields);
  }

  /** Writes the opened survey; the same values on every run (they derive from the stream's end), so repeating it changes nothing. */
  async open(streamId: string, s: OpenSurvey): Promise<void> {
    await this.redis.hset(surveyKeys(this.keys, streamId).survey, { question: s.question, minWatchMs: s.minWatchMs, openedAt: s.openedAt, closesAt: s.closesAt });
  }

  async opened(streamId: string): Promise<OpenSurvey | null> {
    const h = await this.redis.hgetall(surveyKeys(this.keys, streamId).survey);
    if (h.closesAt === undefined) return null;
    return { question: h.question ?? '', minWatchMs: Number(h.minWatchMs ?? 0), openedAt: Number(h.openedAt ?? 0), closesAt: Number(h.closesAt) };
  }

  /** Takes the answer; throws the refusal (chat's blocked_word for a comment with a blocked word). */
  async answer(streamId: string, viewerId: string, a: SurveyAnswerRecord, words: string): Promise<void> {
    await surveyAnswer.run(this.redis, this.keys, { streamId, viewerId, score: a.score, now: a.at, answer: JSON.stringify(a), words });
  }

  async answered(streamId: string, viewerId: string): Promise<boolean> {
    return (await this.redis.hexists(surveyKeys(this.keys, streamId).answers, viewerId)) === 1;
  }

  /** Milliseconds the viewer watched the stream (the activity ledger's watchMs). */
  async watchMs(streamId: string, viewerIds: readonly string[]): Promise<number[]> {
    const k = activityKeys(this.keys, streamId);
    const pipe = this.redis.pipeline();
    for (const id of viewerIds) pipe.hget(k.viewer(id), 'watchMs');
    const rows = (await pipe.exec()) ?? [];
    return rows.map(([err, v]) => {
      if (err) throw err;
      return Number(v ?? 0);
    });
  }

  /** Answers per score 0..10 (index = score). */
  async tally(streamId: string): Promise<number[]> {
    const h = await this.redis.hgetall(surveyKeys(this.keys, streamId).tally);
    return Array.from({ length: 11 }, (_, i) => Number(h[String(i)] ?? 0));
  }

  /** Every answer (viewerId, answer), in pages. */
  async *answers(streamId: string): AsyncGenerator<[string, SurveyAnswerRecord]> {
    for await (const [viewerId, raw] of scanHash(this.redis, surveyKeys(this.keys, streamId).answers)) {
      yield [viewerId, JSON.parse(raw) as SurveyAnswerRecord];
    }
  }
}

export const surveyStore = perContext((ctx) => new SurveyStore(ctx.redis, ctx.keys));
