import type { RedisClient } from '../redis/client.js';
import type { DrawEntry, LotteryDrawn, LotteryPublic, LotteryStatus } from '@stickyroom/sdk/protocol';
import type { Keys } from '../redis/keys.js';
import type { Audience } from '@stickyroom/sdk/protocol';
import { packAudience, parseAudience } from '../audience/audience.js';
import type { EventGate } from '../redis/event-gate.js';
import { scanHash } from '../redis/replies.js';
import { brandLotteryKeys, lotteryKeys } from './lottery.keys.js';
import type { OutboxEntry } from '../outbox/outbox.entry.js';
import { lotteryClose, lotteryCreate, lotteryEnter, lotterySettle } from './lottery.scripts.js';

/** A lottery as stored; `seed` never leaves the server before the draw. */
export interface LotteryRecord {
  id: string;
  streamId: string;
  brandId: string;
  prize: string;
  winners: number;
  endsAt: number;
  createdAt: number;
  createdBy: string;
  seed: string;
  commitment: string;
  keyword?: string;
  minWatchSec?: number;
  requireChat?: boolean;
  excludeRecentWinnersDays?: number;
  audience?: Audience;
  status: LotteryStatus;
  entrants: number;
  result?: LotteryDrawn;
}

export type EntryVia = 'button' | 'chat';

export const DAY_MS = 24 * 3600 * 1000;
/** Brand win records older than the longest exclusion window allowed are dropped. */
const WIN_RECORD_TTL_MS = 365 * DAY_MS;

function parseLottery(h: Record<string, string>): LotteryRecord | null {
  if (!h.id || !h.streamId) return null;
  const l: LotteryRecord = {
    id: h.id,
    streamId: h.streamId,
    brandId: h.brandId ?? '',
    prize: h.prize ?? '',
    winners: Number(h.winners),
    endsAt: Number(h.endsAt),
    createdAt: Number(h.createdAt),
    createdBy: h.createdBy ?? '',
    seed: h.seed ?? '',
    commitment: h.commitment ?? '',
    status: (h.status as LotteryStatus) ?? 'open',
    entrants: Number(h.entrants ?? 0),
  };
  if (h.keyword) l.keyword = h.keyword;
  if (h.minWatchSec) l.minWatchSec = Number(h.minWatchSec);
  if (h.requireChat === '1') l.requireChat = true;
  if (h.excludeRecentWinnersDays) l.excludeRecentWinnersDays = Number(h.excludeRecentWinnersDays);
  const audience = parseAudience(h.audience);
  if (audience) l.audience = audience;
  if (h.result) l.result = JSON.parse(h.result) as LotteryDrawn;
  return l;
}


/** The public view: everything but the seed (and `createdBy`, `brandId`, which the room does not need). */
export function toPublic(l: LotteryRecord): LotteryPublic {
  const p: LotteryPublic = {
    id: l.id,
    streamId: l.streamId,
    prize: l.prize,
    winners: l.winners,
    endsAt: l.endsAt,
    commitment: l.commitment,
    entrants: l.entrants,
    status: l.status,
  };
  if (l.keyword !== undefined) p.keyword = l.keyword;
  if (l.minWatchSec !== undefined) p.minWatchSec = l.minWatchSec;
  if (l.requireChat) p.requireChat = true;
  if (l.excludeRecentWinnersDays !== undefined) p.excludeRecentWinnersDays = l.excludeRecentWinnersDays;
  if (l.audience) p.audience = l.audience;
  if (l.result) p.result = l.result;
  return p;
}

/** The only code touching lottery keys and scripts. */
export class LotteryStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Stores a new open lottery if the stream is live and has no open lottery. */
  async create(l: LotteryRecord): Promise<void> {
    const fields: Record<string, string | number> = {
      id: l.id,
      streamId: l.streamId,
      brandId: l.brandId,
      prize: l.prize,
      winners: l.winners,
      endsAt: l.endsAt,
      createdAt: l.createdAt,
      createdBy: l.createdBy,
      seed: l.seed,
      commitment: l.commitment,
      status: 'open',
      entrants: 0,
    };
    if (l.keyword !== undefined) fields.keyword = l.keyword;
    if (l.minWatchSec) fields.minWatchSec = l.minWatchSec;
    if (l.requireChat) fields.requireChat = 1;
    if (l.excludeRecentWinnersDays) fields.excludeRecentWinnersDays = l.excludeRecentWinnersDays;
    if (l.audience) fields.audience = packAudience(l.audience);
    await lotteryCreate.run(this.redis, this.keys, { streamId: l.streamId, lotteryId: l.id, keyword: l.keyword ?? '', fields });
  }

  async get(streamId: string, lotteryId: string): Promise<LotteryRecord | null> {
    return parseLottery(await this.redis.hgetall(lotteryKeys(this.keys, streamId).meta(lotteryId)));
  }

  /** The rules checked outside the entry script (the brand's recent winners live in another slot). */
  async entryRule(streamId: string, lotteryId: string): Promise<{ brandId: string; excludeRecentWinnersDays: number; audience: Audience | undefined } | null> {
    const [brandId, days, audience] = await this.redis.hmget(lotteryKeys(this.keys, streamId).meta(lotteryId), 'brandId', 'excludeRecentWinnersDays', 'audience');
    if (!brandId) return null;
    return { brandId, excludeRecentWinnersDays: Number(days ?? 0), audience: parseAudience(audience) };
  }

  /** When the viewer last won a lottery of the brand (ms), or null. */
  async lastWin(brandId: string, viewerId: string): Promise<number | null> {
    const score = await this.redis.zscore(brandLotteryKeys(this.keys, brandId).winners, viewerId);
    return score === null ? null : Number(score);
  }

  /** One atomic entry with every in-slot rule; returns the entrant count after it. */
  enter(streamId: string, lotteryId: string, viewerId: string, nonce: string, via: EntryVia, nowMs: number, gate?: EventGate, ticket = false): Promise<number> {
    return lotteryEnter.run(this.redis, this.keys, { streamId, lotteryId, viewerId, nonce, via, now: nowMs, ticket }, gate);
  }

  /** For each viewer, in order: entered? (one command for the joins of a moment; an entry's value is its nonce, '' when none) */
  async haveEntered(streamId: string, lotteryId: string, viewerIds: readonly string[]): Promise<boolean[]> {
    return (await this.redis.hmget(lotteryKeys(this.keys, streamId).entries(lotteryId), ...viewerIds)).map((v) => v !== null);
  }

  /** The open lottery of a stream and its keyword, in one call (the chat hook runs on every message). */
  async openLottery(streamId: string): Promise<{ id: string; keyword: string } | null> {
    const [id, keyword] = await this.redis.hmget(lotteryKeys(this.keys, streamId).open, 'id', 'keyword');
    return id ? { id, keyword: keyword ?? '' } : null;
  }

  async latestLotteryId(streamId: string): Promise<string | null> {
    return this.redis.get(lotteryKeys(this.keys, streamId).last);
  }

  /** Freezes the entrant list (once) and returns the lottery as it is after the call. */
  async close(streamId: string, lotteryId: string, nowMs: number): Promise<LotteryRecord | null> {
    return parseLottery(await lotteryClose.run(this.redis, this.keys, { streamId, lotteryId, now: nowMs }));
  }

  /**
   * The entrants of a lottery, sorted by id. Read with HSCAN (bounded work per call); once the lottery is
   * closed the hash no longer changes, so the scan sees exactly the frozen list.
   */
  async entries(streamId: string, lotteryId: string): Promise<DrawEntry[]> {
    const key = lotteryKeys(this.keys, streamId).entries(lotteryId);
    const out: DrawEntry[] = [];
    for await (const [id, nonce] of scanHash(this.redis, key)) out.push(nonce ? { id, nonce } : { id });
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Stores the result and its outbox entry once; `stored` is true only for the call that stored it. */
  settle(streamId: string, lotteryId: string, result: LotteryDrawn, nowMs: number, entryId: string, entry: OutboxEntry): Promise<{ stored: boolean; result: LotteryDrawn }> {
    return lotterySettle.run(this.redis, this.keys, { streamId, lotteryId, result, now: nowMs, entryId, entry });
  }

  /** Records the winners brand-wide (latest win time per viewer) and forgets wins older than a year. */
  async recordBrandWinners(brandId: string, winners: readonly string[], atMs: number): Promise<void> {
    if (winners.length === 0) return;
    const key = brandLotteryKeys(this.keys, brandId).winners;
    await this.redis
      .multi()
      .zadd(key, 'GT', ...winners.flatMap((w) => [atMs, w]))
      .zremrangebyscore(key, '-inf', `(${atMs - WIN_RECORD_TTL_MS}`)
      .exec();
  }
}
