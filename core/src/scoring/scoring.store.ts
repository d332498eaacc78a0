import type { ChainableCommander } from 'ioredis';
import type { Segment } from '@stickyroom/sdk/protocol';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { streamStore } from '../streams/streams.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import {
  boardKey,
  rate,
  scoringParams,
  segmentAt,
  segmentCounts,
  tierOf,
  type Rating,
  type ScoringParams,
  type Tier,
} from '../stickiness/index.js';
import { parseHistory, type History } from './scoring.history.js';
import { legacyScoringKeys, scoringKeys } from './scoring.keys.js';
import { ratingRow, scoreApply, scoreMerge, scorePage, type RatingRow } from './scoring.scripts.js';

/** A rating as stored: what the formula gave for one version of the viewer's history. */
export interface StoredRating {
  version: number;
  score: number;
  asOf: number;
  tier: Tier;
  streams: number;
}

export function parseRating(raw: string | null | undefined): StoredRating | null {
  if (!raw) return null;
  const [version, score, asOf, tier, streams] = raw.split(';');
  return { version: Number(version), score: Number(score), asOf: Number(asOf), tier: tier as Tier, streams: Number(streams) };
}

/** When a stream counts as having happened, for decay: its start, or its creation if it never went live. */
export const streamTime = (s: Pick<StreamRecord, 'startedAt' | 'createdAt'>): number => s.startedAt ?? s.createdAt;

/** The only code touching the stickiness keys and scripts of a brand. */
export class ScoringStore {
  readonly params: ScoringParams;
  /** Brands whose sorted sets of the layout before this process has deleted (dropLegacyKeys). */
  private readonly legacyDropped = new Set<string>();

  constructor(private readonly ctx: AppContext) {
    this.params = scoringParams(ctx.config);
  }

  keys(brandId: string) {
    return scoringKeys(this.ctx.keys, brandId);
  }

  /**
   * Deletes the brand's sorted sets of the layout before (legacyScoringKeys), once per brand and process: the
   * first rollup of each brand after an upgrade frees them (UNLINK frees in the background), and a worker
   * started later frees what an older worker still wrote during a rolling upgrade. Nothing reads them.
   */
  async dropLegacyKeys(brandId: string): Promise<void> {
    if (this.legacyDropped.has(brandId)) return;
    const legacy = legacyScoringKeys(this.ctx.keys, brandId);
    await this.ctx.redis.unlink(legacy.board, legacy.riskPool, legacy.asOf);
    this.legacyDropped.add(brandId);
  }

  /** How far the stream's ledger has been rolled up (0 before the first rollup). */
  async cursor(brandId: string, streamId: string): Promise<number> {
    return Number((await this.ctx.redis.hget(this.keys(brandId).cursor, streamId)) ?? 0);
  }

  /** Merges packed stream entries into the viewers' histories (score-merge-1.lua); returns the merged histories. */
  async merge(brandId: string, entries: readonly { viewerId: string; entry: string }[]): Promise<History[]> {
    if (entries.length === 0) return [];
    return (await scoreMerge.run(this.ctx.redis, this.ctx.keys, { brandId, entries })).map(parseHistory);
  }

  /** Stores ratings (a later history version wins) and moves the stream's cursor to `seq`, in one script. */
  async apply(brandId: string, streamId: string, seq: number, rated: readonly { viewerId: string; version: number; rating: Rating }[]): Promise<number> {
    return scoreApply.run(this.ctx.redis, this.ctx.keys, { brandId, streamId, seq, fromSeq: 0, rows: this.rows(rated) });
  }

  /**
   * The same, queued on a pipeline (after the batch's watch-point top-ups; its reply comes with exec()), for a
   * batch that started after `fromSeq`: the cursor moves only if it already reached `fromSeq`.
   */
  queueApply(
    pipeline: ChainableCommander,
    brandId: string,
    streamId: string,
    range: { fromSeq: number; seq: number },
    rated: readonly { viewerId: string; version: number; rating: Rating }[],
  ): void {
    scoreApply.queue(pipeline, this.ctx.keys, { brandId, streamId, ...range, rows: this.rows(rated) });
  }

  private rows(rated: readonly { viewerId: string; version: number; rating: Rating }[]): RatingRow[] {
    return rated.map(({ viewerId, version, rating }) =>
      ratingRow(viewerId, {
        version,
        score: rating.score,
        asOf: rating.asOf,
        tier: tierOf(rating, this.params),
        streams: rating.streams,
        boardKey: boardKey(rating, this.params),
      }),
    );
  }

  async ratings(brandId: string, viewerIds: readonly string[]): Promise<(StoredRating | null)[]> {
    if (viewerIds.length === 0) return [];
    return (await this.ctx.redis.hmget(this.keys(brandId).ratings, ...viewerIds)).map(parseRating);
  }

  async histories(brandId: string, viewerIds: readonly string[]): Promise<History[]> {
    if (viewerIds.length === 0) return [];
    return (await this.ctx.redis.hmget(this.keys(brandId).history, ...viewerIds)).map(parseHistory);
  }

  /** One script call of a leaderboard walk over one board or several merged (score-page-n.lua). */
  async pageStep(
    brandId: string,
    boards: readonly string[],
    from: { key: string; viewerId: string },
    limit: number,
    budget: number,
    asOfRange: [number, number],
  ): Promise<{ kept: { viewerId: string; rating: StoredRating }[]; last: { key: string; viewerId: string } | null }> {
    const step = await scorePage.run(this.ctx.redis, this.ctx.keys, { brandId, boards, from, limit, budget, asOfRange });
    const kept: { viewerId: string; rating: StoredRating }[] = [];
    for (const { viewerId, rating: raw } of step.kept) {
      const rating = parseRating(raw);
      if (rating) kept.push({ viewerId, rating });
    }
    return { kept, last: step.last };
  }
}

export const scoringStore = perContext((ctx) => new ScoringStore(ctx));

/** A stored rating as a reader sees it at `now`: the score decayed since the latest stream, and the segment. */
export function readRating(r: StoredRating, now: number, p: ScoringParams): { score: number; segment: Segment } {
  return { score: round2(r.score * Math.pow(2, -Math.max(0, now - r.asOf) / p.halfLifeMs)), segment: segmentAt(r, now, p) };
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Current score and segment of the given viewers for a brand (viewers never rated are left out).
 * @example const rated = await viewerScores(ctx, 'brand-a', ['alice', 'bob']); // [{ viewerId: 'alice', score: 41.2, segment: 'engaged' }]
 */
export async function viewerScores(
  ctx: AppContext,
  brandId: string,
  viewerIds: readonly string[],
): Promise<{ viewerId: string; score: number; segment: Segment }[]> {
  const store = scoringStore(ctx);
  const now = ctx.clock.now();
  const ratings = await store.ratings(brandId, viewerIds);
  return viewerIds.flatMap((viewerId, i) => {
    const r = ratings[i];
    return r ? [{ viewerId, ...readRating(r, now, store.params) }] : [];
  });
}

/** How many of the given viewers are in each segment now; `unrated` counts those never rated. */
export async function segmentMix(ctx: AppContext, brandId: string, viewerIds: readonly string[]): Promise<Record<Segment, number> & { unrated: number }> {
  const rated = await viewerScores(ctx, brandId, viewerIds);
  return { ...segmentCounts(rated.map((r) => r.segment)), unrated: viewerIds.length - rated.length };
}

/**
 * Each viewer's segment as it was when the stream started, derived from their history without that
 * stream and anything after it (so it is the same whenever it is asked). null: the viewer had never
 * attended an earlier stream of the brand.
 */
export async function segmentsBefore(ctx: AppContext, brandId: string, streamId: string, viewerIds: readonly string[]): Promise<(Segment | null)[]> {
  const stream = await streamStore(ctx).get(streamId);
  if (!stream) throw new AppError('not_found', `no stream ${streamId}`);
  const at = streamTime(stream);
  const store = scoringStore(ctx);
  const histories = await store.histories(brandId, viewerIds);
  return histories.map((h) => {
    const earlier = h.entries.filter((e) => e.streamId !== streamId && e.startedAt < at);
    const r = rate(earlier, store.params);
    return r ? segmentAt(r, at, store.params) : null;
  });
}
