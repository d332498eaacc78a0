import type { PollFinal, PollPublic, PollResults, RequestPayload } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { userGate } from '../redis/event-gate.js';
import { staffCounts } from '../staff-counts.js';
import { addMoment } from '../activity/activity.store.js';
import { grantPoints } from '../points/points.service.js';
import { newScopedId, streamOf } from '../streams/scoped-id.js';
import { controlledStream } from '../streams/streams.service.js';
import { pollStore, type PollRecord } from './polls.store.js';
import type { OutboxEntry } from '../outbox/outbox.entry.js';
import { announce, outboxEntryId, outboxStore } from '../outbox/outbox.service.js';
import { AudienceCache, pushTo, requireAudience } from '../audience/audience.service.js';

/** The stream a poll id belongs to; ids we did not mint are simply not found. */
export const streamOfPoll = (pollId: string): string => streamOf(pollId, 'poll');

/** Polls' audiences as this node has read them (set when the poll is made, never changed). */
const pollAudiences = perContext(() => new AudienceCache());
/** A poll's audience (undefined: everyone), read once per node. */
const pollAudience = (ctx: AppContext, streamId: string, pollId: string) =>
  pollAudiences(ctx).get(pollId, () => pollStore(ctx).audience(streamId, pollId));

export async function createPoll(
  ctx: AppContext,
  user: User,
  input: RequestPayload<'poll:create'>,
  now: number,
): Promise<{ id: string; endsAt?: number }> {
  const stream = await controlledStream(ctx, user, input.streamId);
  if (stream.status !== 'live') throw new AppError('not_live', 'polls run while the stream is live');
  const id = newScopedId(stream.id);
  const endsAt = input.durationSec === undefined ? undefined : now + input.durationSec * 1000;
  const pub: PollPublic = {
    id,
    streamId: stream.id,
    question: input.question,
    options: input.options,
    ...(endsAt !== undefined ? { endsAt } : {}),
    ...(input.points !== undefined ? { points: input.points } : {}),
    ...(input.audience ? { audience: input.audience } : {}),
  };
  const poll: PollRecord = {
    id,
    streamId: stream.id,
    brandId: stream.brandId,
    question: input.question,
    options: input.options,
    endsAt: endsAt ?? 0,
    points: input.points ?? 0,
    createdAt: now,
    createdBy: user.id,
    public: pub,
    status: 'open',
  };
  if (input.audience) poll.audience = input.audience;
  // The timer goes in first: a timed poll never exists without its close (a job for a refused poll finds nothing).
  if (endsAt !== undefined) await ctx.jobs.at({ type: 'poll.close', pollId: id, streamId: stream.id }, endsAt, now);
  const store = pollStore(ctx);
  let refused = await store.create(poll);
  if (refused?.refusal === 'poll_open') {
    // The open poll ran out but its timer has not closed it yet (worker down or late): close it now.
    const open = await store.get(stream.id, String(refused.detail));
    if (open && open.endsAt > 0 && open.endsAt <= now) {
      await closePoll(ctx, stream.id, open.id, 'expired', now);
      refused = await store.create(poll);
    }
  }
  if (refused) throw refused.toError();
  await addMoment(ctx.redis, ctx.keys, stream.id, { at: now, kind: 'poll', id, label: input.question });
  pushTo(ctx, stream.id, poll.audience).emit('poll:started', pub);
  ctx.log.info({ streamId: stream.id, pollId: id, endsAt, by: user.id, audience: poll.audience }, 'poll started');
  return endsAt !== undefined ? { id, endsAt } : { id };
}

/**
 * A viewer's one vote, then the points for taking part (idempotent per poll and viewer). A vote refused as
 * already_done grants them again first (a no-op once granted): a vote whose grant failed is healed by a retry.
 * A targeted poll refuses a viewer outside its audience (`not_eligible`) before the vote script, which stays
 * the one step that counts: the audience never changes and the standing is cached from the join.
 */
export async function votePoll(ctx: AppContext, user: User, streamId: string, pollId: string, option: number, now: number): Promise<{ points?: number }> {
  await requireAudience(ctx, streamId, user.id, await pollAudience(ctx, streamId, pollId), 'poll');
  const store = pollStore(ctx);
  try {
    await store.vote(streamId, pollId, user.id, option, now, userGate(ctx, streamId, user.id));
  } catch (err) {
    if (err instanceof AppError && err.code === 'already_done') await grantForTakingPart(ctx, user, streamId, pollId).catch(() => 0);
    throw err;
  }
  staffCounts(ctx).push(`poll:${pollId}`, () => pushRunningResults(ctx, streamId, pollId));
  let points = 0;
  try {
    points = await grantForTakingPart(ctx, user, streamId, pollId);
  } catch (err) {
    ctx.log.error({ err, streamId, pollId, viewerId: user.id }, 'poll vote counted but its points not granted; a repeated vote grants them');
  }
  return points > 0 ? { points } : {};
}

async function grantForTakingPart(ctx: AppContext, user: User, streamId: string, pollId: string): Promise<number> {
  const poll = await pollStore(ctx).get(streamId, pollId);
  if (!poll || poll.points <= 0) return 0;
  return grantPoints(ctx, { brandId: poll.brandId, streamId, viewerId: user.id, points: poll.points, source: 'poll', sourceId: pollId });
}

/**
 * The room's running counts: each vote asks for a push; per node and poll the first goes at once and the
 * others of the next 500 ms (STAFF_COUNT_INTERVAL_MS) collapse into one trailing push that reads the counts
 * afresh. Nothing goes once the poll is closed (`poll:closed` has the final counts).
 */
async function pushRunningResults(ctx: AppContext, streamId: string, pollId: string): Promise<void> {
  const store = pollStore(ctx);
  const poll = await store.get(streamId, pollId);
  if (!poll || poll.status !== 'open') return;
  pushTo(ctx, streamId, poll.audience).emit('poll:results', await store.results(streamId, pollId, poll.options));
}

/**
 * Closes a poll (its timer, `poll:close`, an expired poll in the way of a new one, the stream's end; all may
 * race). The close script flips it once and writes its outbox entry in the same step; the entry's delivery
 * (now, by this caller, or by the outbox sweep after a crash) pushes `poll:closed`. Every call answers the
 * same final counts.
 */
export async function closePoll(ctx: AppContext, streamId: string, pollId: string, reason: 'timer' | 'streamer' | 'stream_end' | 'expired', now: number): Promise<PollFinal> {
  await outboxStore(ctx).listStream(streamId, now);
  const { changed, result } = await pollStore(ctx).close(streamId, pollId, now, reason);
  if (changed) {
    ctx.log.info({ streamId, pollId, reason, votes: result.votes }, 'poll closed');
    await announce(ctx, streamId, outboxEntryId({ kind: 'poll.closed', pollId }));
  }
  return result;
}

/** Delivers a closed poll's outbox entry (at least once): its final counts, with the entry's id. */
export async function deliverPollClosed(ctx: AppContext, streamId: string, entryId: string, entry: Extract<OutboxEntry, { kind: 'poll.closed' }>): Promise<void> {
  // closed already (the entry is written by the close): this reads the final counts
  const { result, audience } = await pollStore(ctx).close(streamId, entry.pollId, ctx.clock.now(), 'timer');
  pushTo(ctx, streamId, audience).emit('poll:closed', { ...result, announcementId: entryId });
}

/** The open poll and its counts so far (the `room:join` ack's `poll`, if the viewer is in its audience), or null. */
export async function openPollView(ctx: AppContext, streamId: string, now: number): Promise<(PollPublic & { results: PollResults }) | null> {
  const store = pollStore(ctx);
  const id = await store.openPollId(streamId);
  if (!id) return null;
  const poll = await store.get(streamId, id);
  if (!poll || poll.status !== 'open' || (poll.endsAt > 0 && poll.endsAt <= now)) return null;
  return { ...poll.public, results: await store.results(streamId, id, poll.options) };
}
