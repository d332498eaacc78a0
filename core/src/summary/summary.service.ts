import { setTimeout as delay } from 'node:timers/promises';
import type { StreamSummary } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { readableStream, streamStore } from '../streams/streams.service.js';
import { computeSummary } from './summary.compute.js';
import { surveyFigures } from './summary.sources.js';
import { surveyStore } from '../survey/survey.store.js';
import { liveSummaries } from './summary.live.js';
import { csvHeader, csvRow } from './summary.csv.js';
import { forEachViewerBatch, indexStream, summaryStore } from './summary.viewers.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { emitWebhook } from '../webhooks/webhooks.service.js';

/** The stored final summary, or the live (partial) one, at most SUMMARY_LIVE_MAX_AGE_MS old. Brand and staff of the stream's brand only. */
export async function readSummary(ctx: AppContext, user: User, streamId: string): Promise<StreamSummary> {
  const stream = await readableStream(ctx, user, streamId);
  const stored = await summaryStore(ctx).readFinal(streamId);
  const summary = stored ?? (await liveSummaries(ctx).read(stream));
  return summary.status === 'ended' ? withFreshSurvey(ctx, summary) : summary;
}

/**
 * The survey block read again from its keys: its answers arrive for SURVEY_WINDOW_HOURS after the end, long
 * after the final summary was stored. Who is eligible does not change after the end (watch time stops), so
 * the count computed with the summary is kept; a summary without one counts it over the stream's viewers.
 */
async function withFreshSurvey(ctx: AppContext, summary: StreamSummary): Promise<StreamSummary> {
  const survey = await surveyFigures(ctx, summary.streamId, async (minWatchMs) => {
    if (summary.survey && summary.survey.minWatchMin * 60_000 === minWatchMs) return summary.survey.eligible;
    const viewers = [...(await summaryStore(ctx).population(summary.streamId))];
    let eligible = 0;
    for (let i = 0; i < viewers.length; i += 500) {
      for (const ms of await surveyStore(ctx).watchMs(summary.streamId, viewers.slice(i, i + 500))) if (ms >= minWatchMs) eligible++;
    }
    return eligible;
  });
  return { ...summary, survey };
}

/** Per-viewer rows of the stream (CSV), viewers sorted by id, built batch by batch. */
export async function summaryCsv(ctx: AppContext, user: User, streamId: string): Promise<string> {
  const stream = await readableStream(ctx, user, streamId);
  const viewers = [...(await summaryStore(ctx).population(streamId))].sort();
  const parts: string[] = [csvHeader()];
  await forEachViewerBatch(ctx, stream, viewers, (rows) => {
    parts.push(rows.map(csvRow).join(''));
  });
  return parts.join('');
}

export type FinalizeOutcome = 'stored' | 'already_stored' | 'not_ended' | 'not_found';

/**
 * Computes and stores the final summary of an ended stream, once. `settleMs` after the end is waited out
 * first, for what was accepted just before the end and is still on its way (coalesced likes). Safe to run again at any point (a retry,
 * a second worker, a restart after a kill): the viewer snapshot and the brand indexes are idempotent writes,
 * and the summary itself is stored with SET NX, so a second run finds it and changes nothing.
 */
export async function finalizeSummary(ctx: AppContext, streamId: string, opts: { settleMs?: number } = {}): Promise<FinalizeOutcome> {
  let stream = await streamStore(ctx).get(streamId);
  if (!stream) return 'not_found';
  if (stream.status !== 'ended') return 'not_ended';
  const store = summaryStore(ctx);
  const stored = await store.readFinal(streamId);
  if (stored) {
    // emitted again on every finalize of a stored summary: one delivery (its id), and a job that died
    // between storing and emitting is made good by its retry
    await emitFinal(ctx, stream, stored);
    return 'already_stored';
  }
  const wait = Math.min(opts.settleMs ?? 0, stream.endedAt! + (opts.settleMs ?? 0) - ctx.clock.now());
  if (wait > 0) {
    await delay(wait);
    stream = (await streamStore(ctx).get(streamId)) ?? stream;
  }
  const { summary, viewers, buyers } = await computeSummary(ctx, stream, true);
  // the snapshot and the indexes (idempotent writes, in one flight), complete before the summary is stored
  await Promise.all([store.snapshotViewers(streamId, viewers), indexStream(ctx, stream, viewers, buyers)]);
  const { created } = await store.storeFinal(summary);
  ctx.log.info({ streamId, uniqueViewers: summary.uniqueViewers, created }, 'stream summary finalized');
  await emitFinal(ctx, stream, created ? summary : ((await store.readFinal(streamId)) ?? summary));
  return created ? 'stored' : 'already_stored';
}

/** The `summary.final` webhook event of a stored summary. */
function emitFinal(ctx: AppContext, stream: StreamRecord, summary: StreamSummary): Promise<number> {
  return emitWebhook(ctx, stream.brandId, 'summary.final', `summary.final:${stream.id}`, { streamId: stream.id, summary });
}

/**
 * `POST /api/streams/:id/summary/finalize`: finalizes now (the job's work, for when the worker's job failed
 * for good or a deployment ran without a worker). Idempotent like the job: answers the stored summary.
 */
export async function finalizeNow(ctx: AppContext, user: User, streamId: string): Promise<StreamSummary> {
  const stream = await readableStream(ctx, user, streamId);
  if (stream.status !== 'ended') throw new AppError('conflict', `the stream is ${stream.status}: it is finalized when it ends`);
  await finalizeSummary(ctx, streamId);
  const stored = await summaryStore(ctx).readFinal(streamId);
  if (!stored) throw new AppError('internal', 'the summary was not stored');
  return stored;
}
