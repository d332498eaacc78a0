import { z } from 'zod';
import { StreamId, type Announced } from './common.js';
import { userText } from './text.js';

/** The post-stream survey: one 0–10 "would you recommend" score and an optional comment per eligible viewer. */
export const SURVEY_COMMENT_MAX = 500;

const surveySettingsFields = {
  /** false: no survey for this stream. */
  enabled: z.boolean().optional(),
  question: userText(300).optional(),
  /** Viewers who watched at least this many minutes are asked. */
  minWatchMin: z.number().int().min(0).max(24 * 60).optional(),
  /** How long after the stream's end answers are taken. */
  windowHours: z.number().int().min(1).max(24 * 30).optional(),
};

/** A stream's survey settings as a caller sets them (at creation, `stream:survey`, `PUT /api/streams/:id/survey`). */
export const SurveySettingsInput = z.object(surveySettingsFields).strict();
export const SurveyConfigure = z.object({ streamId: StreamId, ...surveySettingsFields }).strict();

export const SurveyAnswer = z
  .object({
    streamId: StreamId,
    score: z.number().int().min(0).max(10),
    comment: userText(SURVEY_COMMENT_MAX).optional(),
  })
  .strict();

export const SurveyGet = z.object({ streamId: StreamId }).strict();

/** A stream's survey settings (stream:survey's ack). */
export interface SurveySettings {
  streamId: string;
  enabled: boolean;
  question: string;
  minWatchMin: number;
  windowHours: number;
}

/** A survey that awaits a viewer. */
export interface SurveyRequest {
  streamId: string;
  question: string;
  /** Answers are taken until then (ms since the epoch). */
  closesAt: number;
}

export const surveyRequests = {
  'stream:survey': SurveyConfigure,
  'survey:answer': SurveyAnswer,
  'survey:get': SurveyGet,
} as const;

export interface SurveyReplies {
  'stream:survey': { survey: SurveySettings };
  'survey:answer': Record<string, never>;
  /** `survey`: set while one awaits this viewer (eligible, window open, not answered yet). */
  'survey:get': { survey: SurveyRequest | null; answered: boolean };
}

export interface SurveyPushes {
  /** Privately, at the stream's end, to each eligible viewer who is connected. */
  'survey:request': (e: SurveyRequest & Announced) => void;
}
