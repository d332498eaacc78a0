import type { RequestPayload, SurveyRequest, SurveySettings } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import type { User } from '../identity/tokens.js';
import { AppError } from '../errors.js';
import { wordsForMatching } from '../chat/chat.text.js';
import { presenceKeys } from '../presence/presence.keys.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { readableStream } from '../streams/streams.service.js';
import { csvCell } from '../summary/summary.csv.js';
import { npsOf } from './survey.nps.js';
import { surveyStore, type OpenSurvey, type SurveyAnswerRecord } from './survey.store.js';

export const DEFAULT_SURVEY_QUESTION = 'How likely are you to recommend this stream to a friend?';
/** Viewers checked per round trip when the end pushes `survey:request`. */
const PAGE = 500;
const HOUR_MS = 3_600_000;

/** The id every `survey:request` of one stream carries (the SDK shows it once). */
export const surveyRequestAnnouncementId = (streamId: string): string => `survey.${streamId}`;

/** The stream's survey settings: what `stream:survey` set, else the config's defaults. */
export async function surveySettings(ctx: AppContext, streamId: string): Promise<SurveySettings> {
  const s = await surveyStore(ctx).settings(streamId);
  return {
    streamId,
    enabled: s.enabled ?? true,
    question: s.question ?? DEFAULT_SURVEY_QUESTION,
    minWatchMin: s.minWatchMin ?? ctx.config.SURVEY_MIN_WATCH_MIN,
    windowHours: s.windowHours ?? ctx.config.SURVEY_WINDOW_HOURS,
  };
}

/** `stream:survey` / `PUT /api/streams/:id/survey`: the stream's staff or its brand team set it before the stream ends. */
export async function configureSurvey(ctx: AppContext, user: User, input: RequestPayload<'stream:survey'>): Promise<SurveySettings> {
  const stream = await readableStream(ctx, user, input.streamId);
  if (stream.status === 'ended') throw new AppError('closed', 'the stream has ended: its survey is set');
  const { streamId: _s, ...change } = input;
  await surveyStore(ctx).saveSettings(stream.id, change);
  return surveySettings(ctx, stream.id);
}

/**
 * The stream's end (its end hook, run at least once): opens the survey with the settings in force, then
 * pushes `survey:request` privately to every viewer who joined and watched long enough (those not
 * connected find it later with `survey:get`). Repeating it writes the same survey and repeats pushes
 * under the same announcement id, which the SDK drops.
 */
export async function openSurveyAtEnd(ctx: AppContext, stream: StreamRecord): Promise<void> {
  const settings = await surveySettings(ctx, stream.id);
  if (!settings.enabled) return;
  const openedAt = stream.endedAt ?? ctx.clock.now();
  const survey: OpenSurvey = {
    question: settings.question,
    minWatchMs: settings.minWatchMin * 60_000,
    openedAt,
    closesAt: openedAt + settings.windowHours * HOUR_MS,
  };
  const store = surveyStore(ctx);
  await store.open(stream.id, survey);
  const request = { streamId: stream.id, question: survey.question, closesAt: survey.closesAt, announcementId: surveyRequestAnnouncementId(stream.id) };
  let asked = 0;
  let cursor = '0';
  do {
    const [next, flat] = await ctx.redis.zscan(presenceKeys(ctx.keys, stream.id).unique, cursor, 'COUNT', PAGE);
    cursor = next;
    const ids = flat.filter((_, i) => i % 2 === 0);
    const watched = await store.watchMs(stream.id, ids);
    ids.forEach((id, i) => {
      if (watched[i]! < survey.minWatchMs) return;
      ctx.broadcast.toUser(id).emit('survey:request', request);
      asked++;
    });
  } while (cursor !== '0');
  ctx.log.info({ streamId: stream.id, asked, closesAt: survey.closesAt }, 'survey opened');
}

/** `survey:answer`: one answer per eligible viewer within the window; the comment under chat's blocked words. */
export async function answerSurvey(ctx: AppContext, user: User, input: RequestPayload<'survey:answer'>, now: number): Promise<void> {
  const answer: SurveyAnswerRecord = { score: input.score, ...(input.comment !== undefined ? { comment: input.comment } : {}), at: now };
  await surveyStore(ctx).answer(input.streamId, user.id, answer, input.comment === undefined ? '' : wordsForMatching(input.comment));
}

/** `survey:get`: the survey awaiting this viewer (eligible, window open, not answered), and whether they answered. */
export async function pendingSurvey(ctx: AppContext, user: User, streamId: string, now: number): Promise<{ survey: SurveyRequest | null; answered: boolean }> {
  const store = surveyStore(ctx);
  const survey = await store.opened(streamId);
  if (!survey) return { survey: null, answered: false };
  const [answered, [watched]] = await Promise.all([store.answered(streamId, user.id), store.watchMs(streamId, [user.id])]);
  const awaits = !answered && now < survey.closesAt && watched! >= survey.minWatchMs;
  return { survey: awaits ? { streamId, question: survey.question, closesAt: survey.closesAt } : null, answered };
}

/** `GET /api/streams/:id/survey`: the survey and every answer with its comment (brand and the stream's staff). */
export async function surveyExport(ctx: AppContext, user: User, streamId: string): Promise<SurveyExport> {
  const stream = await readableStream(ctx, user, streamId);
  const store = surveyStore(ctx);
  const survey = await store.opened(stream.id);
  const answers: SurveyExport['answers'] = [];
  if (survey) for await (const [viewerId, a] of store.answers(stream.id)) answers.push({ viewerId, score: a.score, comment: a.comment ?? null, at: a.at });
  answers.sort((a, b) => a.at - b.at || (a.viewerId < b.viewerId ? -1 : 1));
  return {
    streamId: stream.id,
    survey: survey ? { question: survey.question, minWatchMin: survey.minWatchMs / 60_000, openedAt: survey.openedAt, closesAt: survey.closesAt } : null,
    ...npsOf(await store.tally(stream.id)),
    answers,
  };
}

export interface SurveyExport {
  streamId: string;
  survey: { question: string; minWatchMin: number; openedAt: number; closesAt: number } | null;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  nps: number | null;
  answers: { viewerId: string; score: number; comment: string | null; at: number }[];
}

/** The answers as CSV (viewerId, score, comment, at as ISO time), cells quoted and defused as the summary's CSV. */
export function surveyCsv(e: SurveyExport): string {
  const rows = e.answers.map((a) => [a.viewerId, a.score, a.comment, new Date(a.at).toISOString()].map(csvCell).join(','));
  return ['viewerId,score,comment,at', ...rows].join('\r\n') + '\r\n';
}
