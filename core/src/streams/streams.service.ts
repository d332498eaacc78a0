import { randomBytes } from 'node:crypto';
import type { User } from '../identity/tokens.js';
import { canControlBrand, canReadBrand } from '../identity/tokens.js';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { StreamStore, type StreamRecord } from './streams.store.js';
import { announce, outboxEntryId, outboxStore } from '../outbox/outbox.service.js';
import { emitWebhook, emitWebhookLater } from '../webhooks/webhooks.service.js';
import { surveyStore, type SurveySettingsStored } from '../survey/survey.store.js';

export const streamStore = perContext((ctx) => new StreamStore(ctx.redis, ctx.keys));

/**
 * Short, unguessable, URL-safe ids for streams and everything inside them. Never beginning with `-` or `_`:
 * a CSV export defuses a cell that begins with `-` (a spreadsheet would read a formula), which would no
 * longer match the id, and a command line would read it as an option. One id in 32 is drawn again.
 */
export function newId(bytes = 9): string {
  for (;;) {
    const id = randomBytes(bytes).toString('base64url');
    if (id[0] !== '-' && id[0] !== '_') return id;
  }
}

/**
 * The brand a new stream belongs to: a streamer's own (naming another is `forbidden`); for an admin, the
 * brand named in the body, else its token's `brandId`, else `invalid_payload` (an admin must say which).
 */
function brandOfNewStream(user: User, named: string | undefined): string {
  if (user.role === 'admin') {
    const brandId = named ?? user.brandId;
    if (!brandId) throw new AppError('invalid_payload', 'brandId: an admin names the brand of the stream ({ title, brandId })');
    return brandId;
  }
  if (user.role !== 'streamer' || !user.brandId) throw new AppError('forbidden', 'only a streamer of a brand or an admin creates streams');
  if (named !== undefined && named !== user.brandId) throw new AppError('forbidden', 'a streamer creates streams of its own brand only');
  return user.brandId;
}

export async function createStream(
  ctx: AppContext,
  user: User,
  body: { title: string; brandId?: string | undefined; survey?: SurveySettingsStored | undefined },
): Promise<StreamRecord> {
  const brandId = brandOfNewStream(user, body.brandId);
  const stream: StreamRecord = {
    id: newId(),
    title: body.title,
    brandId,
    status: 'scheduled',
    createdBy: user.id,
    createdAt: ctx.clock.now(),
  };
  // its survey settings first: a stream never exists without the settings it was created with
  if (body.survey) await surveyStore(ctx).saveSettings(stream.id, body.survey);
  await streamStore(ctx).create(stream);
  ctx.log.info({ streamId: stream.id, brandId: stream.brandId, by: user.id }, 'stream created');
  return stream;
}

export async function getStream(ctx: AppContext, streamId: string): Promise<StreamRecord> {
  const stream = await streamStore(ctx).get(streamId);
  if (!stream) throw new AppError('not_found', `no stream ${streamId}`);
  return stream;
}

/** The stream, if this user may run it (streamer or moderator of its brand, or admin). */
export async function controlledStream(ctx: AppContext, user: User, streamId: string): Promise<StreamRecord> {
  const stream = await getStream(ctx, streamId);
  if (!canControlBrand(user, stream.brandId)) throw new AppError('forbidden', 'this stream belongs to another brand');
  return stream;
}

export async function readableStream(ctx: AppContext, user: User, streamId: string): Promise<StreamRecord> {
  const stream = await getStream(ctx, streamId);
  if (!canReadBrand(user, stream.brandId)) throw new AppError('forbidden', 'this stream belongs to another brand');
  return stream;
}

/** The stream, if it is live: interactions other than chat need it. */
export async function liveStream(ctx: AppContext, streamId: string): Promise<StreamRecord> {
  const stream = await getStream(ctx, streamId);
  if (stream.status !== 'live') throw new AppError('not_live', `the stream is ${stream.status}`);
  return stream;
}

export async function startStream(ctx: AppContext, user: User, streamId: string): Promise<StreamRecord> {
  const current = await controlledStream(ctx, user, streamId);
  if (user.role === 'moderator') throw new AppError('forbidden', 'only the streamer starts the stream');
  if (current.status === 'ended') throw new AppError('closed', 'the stream has ended');
  const { stream, changed } = await streamStore(ctx).transition(streamId, 'live', ctx.clock.now());
  if (changed) {
    ctx.broadcast.toStream(streamId).emit('stream:state', { stream });
    ctx.log.info({ streamId }, 'stream live');
    emitWebhookLater(ctx, stream.brandId, 'stream.started', `stream.started:${streamId}`, {
      streamId,
      title: stream.title,
      startedAt: stream.startedAt,
    });
  }
  return stream;
}

export async function endStream(ctx: AppContext, user: User, streamId: string): Promise<StreamRecord> {
  await controlledStream(ctx, user, streamId);
  if (user.role === 'moderator') throw new AppError('forbidden', 'only the streamer ends the stream');
  const now = ctx.clock.now();
  await outboxStore(ctx).listStream(streamId, now);
  // the end is committed with its outbox entry: the hooks and the finalize job run even if we die now
  const { stream, changed } = await streamStore(ctx).transition(streamId, 'ended', now);
  if (changed) {
    await announce(ctx, streamId, outboxEntryId({ kind: 'stream.ended' }, streamId));
    ctx.broadcast.toStream(streamId).emit('stream:state', { stream });
    ctx.log.info({ streamId }, 'stream ended');
  }
  return stream;
}

/**
 * Delivers a stream's end (its outbox entry, at least once): every feature's end hook, each safe to run
 * again (they act on what is still open), then the finalize job (one per stream, a deterministic id).
 * A failed hook fails the delivery after the others ran, so the entry is retried.
 */
export async function deliverStreamEnded(ctx: AppContext, streamId: string): Promise<void> {
  const stream = await getStream(ctx, streamId);
  const failed: unknown[] = [];
  for (const feature of ctx.features) {
    if (!feature.onStreamEnd) continue;
    try {
      await feature.onStreamEnd(ctx, stream);
    } catch (err) {
      failed.push(err);
      ctx.log.error({ err, streamId, feature: feature.name }, 'stream end hook failed; its delivery is retried');
    }
  }
  if (failed.length) throw new AggregateError(failed, `stream ${streamId}: ${failed.length} end hook(s) failed`);
  // recorded once however often the entry is delivered (the delivery id comes from the stream's id)
  await emitWebhook(ctx, stream.brandId, 'stream.ended', `stream.ended:${streamId}`, {
    streamId,
    title: stream.title,
    startedAt: stream.startedAt,
    endedAt: stream.endedAt,
  });
  const now = ctx.clock.now();
  await ctx.jobs.at({ type: 'stream.finalize', streamId }, now, now);
}
