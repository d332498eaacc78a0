import {
  commitmentOf,
  deriveWinners,
  randomHex,
  type ChatMessage,
  type LotteryDrawn,
  type LotteryDrawRecord,
  type RequestPayload,
} from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { userGate } from '../redis/event-gate.js';
import { joinLookup } from '../room/join-reads.js';
import { markShared } from '../room/shared-values.js';
import type { JoinPart } from '../feature.js';
import { staffCounts } from '../staff-counts.js';
import { addMoment } from '../activity/activity.store.js';
import { announce, outboxEntryId, outboxStore } from '../outbox/outbox.service.js';
import { newScopedId, streamOf } from '../streams/scoped-id.js';
import { controlledStream } from '../streams/streams.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { isEligible, pushTo, requireAudience, type Standing } from '../audience/audience.service.js';
import { DAY_MS, LotteryStore, toPublic, type EntryVia, type LotteryRecord } from './lottery.store.js';
import { refundRaffleTicket, useRaffleTicket } from '../points/points.rewards.js';

export const lotteryStore = perContext((ctx) => new LotteryStore(ctx.redis, ctx.keys));

/** The stream a lottery id belongs to; ids we did not mint are simply not found. */
export const streamOfLottery = (lotteryId: string): string => streamOf(lotteryId, 'lottery');

export function keywordMatches(text: string, keyword: string): boolean {
  return keyword !== '' && text.trim().toLowerCase() === keyword.trim().toLowerCase();
}

export async function createLottery(ctx: AppContext, user: User, input: RequestPayload<'lottery:create'>, now: number): Promise<LotteryRecord> {
  const stream = await controlledStream(ctx, user, input.streamId);
  if (stream.status !== 'live') throw new AppError('not_live', `the stream is ${stream.status}`);
  const seed = randomHex(32);
  const l: LotteryRecord = {
    id: newScopedId(stream.id),
    streamId: stream.id,
    brandId: stream.brandId,
    prize: input.prize,
    winners: input.winners,
    endsAt: now + input.durationSec * 1000,
    createdAt: now,
    createdBy: user.id,
    seed,
    commitment: await commitmentOf(seed),
    status: 'open',
    entrants: 0,
  };
  if (input.keyword !== undefined) l.keyword = input.keyword;
  if (input.minWatchSec) l.minWatchSec = input.minWatchSec;
  if (input.requireChat) l.requireChat = true;
  if (input.excludeRecentWinnersDays) l.excludeRecentWinnersDays = input.excludeRecentWinnersDays;
  if (input.audience) l.audience = input.audience;
  // Schedule first: a job for a lottery that was then refused finds nothing and does nothing, while a
  // lottery stored without its job would never close on time.
  await ctx.jobs.at({ type: 'lottery.draw', lotteryId: l.id, streamId: l.streamId }, l.endsAt, now);
  await lotteryStore(ctx).create(l);
  pushTo(ctx, l.streamId, l.audience).emit('lottery:started', toPublic(l));
  await addMoment(ctx.redis, ctx.keys, l.streamId, { at: now, kind: 'lottery', id: l.id, label: l.prize }).catch((err: unknown) =>
    ctx.log.warn({ err, lotteryId: l.id }, 'lottery moment not recorded'),
  );
  ctx.log.info({ lotteryId: l.id, streamId: l.streamId, winners: l.winners, endsAt: l.endsAt }, 'lottery started');
  return l;
}

/**
 * Enters a viewer. The brand-wide recent-winner rule is checked here, before the entry script, because
 * brand keys live in another slot. The rule is judged at entry time: a win recorded by another stream
 * between this check and the script (milliseconds) counts as after the entry.
 */
export async function enterLottery(
  ctx: AppContext,
  user: User,
  lotteryId: string,
  opts: { via: EntryVia; nonce?: string | undefined; now: number },
): Promise<{ streamId: string; entrants: number }> {
  const store = lotteryStore(ctx);
  const streamId = streamOfLottery(lotteryId);
  const rule = await store.entryRule(streamId, lotteryId);
  if (!rule) throw new AppError('not_found', 'no such lottery');
  await requireAudience(ctx, streamId, user.id, rule.audience, 'lottery');
  if (rule.excludeRecentWinnersDays > 0) {
    const lastWin = await store.lastWin(rule.brandId, user.id);
    if (lastWin !== null && lastWin > opts.now - rule.excludeRecentWinnersDays * DAY_MS) {
      throw new AppError('not_eligible', `you won a prize of this brand in the last ${rule.excludeRecentWinnersDays} days`, {
        reason: 'recent_winner',
      });
    }
  }
  // a keyword entry rides on a chat message, which chat's own limit already counted
  const gate = opts.via === 'button' ? userGate(ctx, streamId, user.id) : undefined;
  // the entry and its activity record are one script
  let entrants: number;
  try {
    entrants = await store.enter(streamId, lotteryId, user.id, opts.nonce ?? '', opts.via, opts.now, gate);
  } catch (err) {
    // a raffle ticket of the brand (a points reward) waives the watch-time and chat rules
    const waivable = err instanceof AppError && err.code === 'not_eligible' && (err.details.reason === 'min_watch' || err.details.reason === 'no_chat');
    if (!waivable || !(await useRaffleTicket(ctx, rule.brandId, user.id, lotteryId))) throw err;
    try {
      // the user's event was counted by the first call
      entrants = await store.enter(streamId, lotteryId, user.id, opts.nonce ?? '', opts.via, opts.now, undefined, true);
    } catch (again) {
      // closed meanwhile: the ticket is given back; already in (another tab): it stays spent on this lottery
      if (again instanceof AppError && (again.code === 'closed' || again.code === 'not_found')) await refundRaffleTicket(ctx, rule.brandId, user.id, lotteryId);
      throw again;
    }
    ctx.log.info({ lotteryId, userId: user.id }, 'lottery entered with a raffle ticket');
  }
  // Every tab of this viewer learns it is in (a keyword entry gets no ack at all).
  ctx.broadcast.toUser(user.id).emit('lottery:entered', { lotteryId, streamId, via: opts.via, ...(opts.nonce ? { nonce: opts.nonce } : {}) });
  // the streamer sees the count grow; a trailing push within the interval carries the latest
  staffCounts(ctx).push(`lottery:${lotteryId}`, async () => {
    const l = await store.get(streamId, lotteryId);
    if (l && l.status === 'open') ctx.broadcast.toStaff(streamId).emit('lottery:entrants', { lotteryId, streamId, entrants: l.entrants });
  });
  return { streamId, entrants };
}

/** The chat hook: a viewer's message that is the open lottery's keyword enters them; refusals stay silent. */
export async function enterByKeyword(ctx: AppContext, stream: StreamRecord, user: User, message: ChatMessage): Promise<void> {
  if (user.role !== 'viewer') return;
  const open = await lotteryStore(ctx).openLottery(stream.id);
  if (!open || !keywordMatches(message.text, open.keyword)) return;
  try {
    await enterLottery(ctx, user, open.id, { via: 'chat', now: ctx.clock.now() });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    ctx.log.debug({ lotteryId: open.id, userId: user.id, code: err.code, reason: err.details.reason }, 'keyword entry refused');
  }
}

/**
 * Draws a lottery exactly once, whoever calls first (the streamer, the scheduled job, the stream's end,
 * on any node or worker): the close script freezes the list once; the winners follow from the seed and
 * that list, so racing callers compute the same result; the settle script stores it once, with its
 * outbox entry, and the caller that stored it delivers the announcement (a crash before that leaves the
 * entry to the outbox sweep). Later calls return the stored result and announce nothing.
 */
export async function drawLottery(ctx: AppContext, streamId: string, lotteryId: string): Promise<{ result: LotteryDrawn; announced: boolean }> {
  const store = lotteryStore(ctx);
  const now = ctx.clock.now();
  const l = await store.close(streamId, lotteryId, now);
  if (!l) throw new AppError('not_found', 'no such lottery');
  if (l.result) return { result: l.result, announced: false };
  const entries = await store.entries(streamId, lotteryId);
  const { winners, entrantsHash } = await deriveWinners(l.seed, entries, l.winners);
  const entry = { kind: 'lottery.drawn', lotteryId } as const;
  const entryId = outboxEntryId(entry);
  await outboxStore(ctx).listStream(streamId, now);
  const { stored, result } = await store.settle(
    streamId,
    lotteryId,
    { lotteryId, streamId, winners, winnerCount: l.winners, seed: l.seed, commitment: l.commitment, entrants: entries.length, entrantsHash, drawnAt: now },
    now,
    entryId,
    entry,
  );
  if (!stored) return { result, announced: false };
  await announce(ctx, streamId, entryId);
  return { result, announced: true };
}

/** The streamer's manual draw: staff of the stream's brand. */
export async function drawAsStaff(ctx: AppContext, user: User, lotteryId: string): Promise<LotteryDrawn> {
  const streamId = streamOfLottery(lotteryId);
  await controlledStream(ctx, user, streamId);
  return (await drawLottery(ctx, streamId, lotteryId)).result;
}

/** Ending a stream draws its open lottery. */
export async function drawOpenLottery(ctx: AppContext, stream: StreamRecord): Promise<void> {
  const open = await lotteryStore(ctx).openLottery(stream.id);
  if (open) await drawLottery(ctx, stream.id, open.id);
}

/** The stream's latest lottery (open or drawn), or null: read once for the joins of a moment. */
export async function latestLottery(ctx: AppContext, streamId: string): Promise<LotteryRecord | null> {
  const store = lotteryStore(ctx);
  const id = await store.latestLotteryId(streamId);
  return id ? store.get(streamId, id) : null;
}

/**
 * The stream's latest lottery as every join of one moment sees it (JoinHook.shared): its public view for the
 * staff, and for a viewer who entered it and one who did not. Each is marked shared, so the transport encodes
 * it once for all the acks of the moment instead of once per ack.
 */
export interface LotteryJoinView {
  record: LotteryRecord;
  staff: JoinPart;
  entered: JoinPart;
  notEntered: JoinPart;
}

export async function lotteryJoinView(ctx: AppContext, streamId: string): Promise<LotteryJoinView | null> {
  const l = await latestLottery(ctx, streamId);
  if (!l) return null;
  const pub = toPublic(l);
  return {
    record: l,
    staff: { lottery: markShared(pub) },
    entered: { lottery: markShared({ ...pub, entered: true }) },
    notEntered: { lottery: markShared({ ...pub, entered: false }) },
  };
}

/** The room's view of the stream's latest lottery, with whether this viewer is in. */
export function lotteryForJoin(ctx: AppContext, stream: StreamRecord, user: User, view: LotteryJoinView | null, standing?: Standing): JoinPart | Promise<JoinPart> {
  if (!view) return {};
  const l = view.record;
  // a targeted lottery is left out for a viewer outside its audience (the staff, without a standing, see it)
  if (standing && !isEligible(l.audience, standing).ok) return {};
  if (user.role !== 'viewer') return view.staff;
  // one HMGET for the joins of this moment
  const store = lotteryStore(ctx);
  return joinLookup(ctx, stream.id, `lottery:${l.id}:entered`, user.id, (ids) => store.haveEntered(stream.id, l.id, ids)).then((entered) =>
    entered ? view.entered : view.notEntered,
  );
}

/** Everything `verifyDraw` needs, once the lottery is drawn. */
export async function drawRecord(ctx: AppContext, lotteryId: string): Promise<LotteryDrawRecord> {
  const streamId = streamOfLottery(lotteryId);
  const store = lotteryStore(ctx);
  const l = await store.get(streamId, lotteryId);
  if (!l) throw new AppError('not_found', 'no such lottery');
  if (!l.result) throw new AppError('conflict', 'the entrant list is published with the draw; this lottery is not drawn yet');
  const entries = await store.entries(streamId, lotteryId);
  const r = l.result;
  return {
    lotteryId,
    streamId,
    commitment: r.commitment,
    seed: r.seed,
    winnerCount: r.winnerCount,
    winners: r.winners,
    entrantsHash: r.entrantsHash,
    entrants: entries.map((e) => e.id),
    entries,
    drawnAt: r.drawnAt,
  };
}
