import type { Keys } from '../redis/keys.js';

/** The post-stream survey of one stream; all in the stream's slot so one script can check and change them. */
export const surveyKeys = (k: Keys, streamId: string) => ({
  /** HASH: what `stream:survey` set before the end (enabled 0|1, question, minWatchMin, windowHours); absent fields: the defaults. */
  settings: k.stream(streamId, 'survey', 'settings'),
  /** HASH, written at the stream's end: question, minWatchMs, openedAt (the end), closesAt. Its existence means the survey is open(ed). */
  survey: k.stream(streamId, 'survey', 'open'),
  /** HASH viewerId -> answer JSON { score, comment?, at }: one answer per viewer. */
  answers: k.stream(streamId, 'survey', 'answers'),
  /** HASH score (0..10) -> answers with that score. */
  tally: k.stream(streamId, 'survey', 'tally'),
});
