import type { ChainableCommander } from 'ioredis';
import type { PointsBalance } from '@stickyroom/sdk/protocol';
import { perContext, type AppContext } from '../context.js';
import { PointsStore, type PointLot } from './points.store.js';
import { pointsFold, type GrantArgs } from './points.scripts.js';
import { pointsLayoutKey } from './points.keys.js';
import { globEscape, scanKeys } from '../exports/scan.js';
import { loyaltyTierFor, parseLoyaltyTiers } from '../stickiness/index.js';

export interface PointsGrant {
  brandId: string;
  viewerId: string;
  streamId: string;
  points: number;
  source: 'quiz' | 'question' | 'lottery' | 'watch' | 'order' | 'poll' | 'referral';
  /** Makes the grant idempotent: the same (source, sourceId, viewer) grants once. */
  sourceId: string;
}

export const pointsStore = perContext((ctx) => new PointsStore(ctx.redis, ctx.keys));
/** The loyalty tiers of config (POINTS_TIERS), lowest first. */
export const loyaltyTiers = perContext((ctx) => parseLoyaltyTiers(ctx.config.POINTS_TIERS));

/**
 * Grants loyalty points to a viewer of a brand, idempotent per (source, sourceId, viewer), within the
 * per-stream caps of config. Returns the points actually granted (0 if capped or already granted).
 * Purchases (`order`) are not capped per stream; every other source shares POINTS_STREAM_CAP.
 */
export async function grantPoints(ctx: AppContext, grant: PointsGrant): Promise<number> {
  const points = Math.floor(grant.points);
  if (!(points > 0)) return 0;
  return pointsStore(ctx).grant({
    brandId: grant.brandId,
    viewerId: grant.viewerId,
    grantId: `${grant.source}:${grant.sourceId}`,
    mode: 'add',
    points,
    cappedStreamId: grant.source === 'order' ? '' : grant.streamId,
    streamCap: ctx.config.POINTS_STREAM_CAP,
    now: ctx.clock.now(),
    expireDays: ctx.config.POINTS_EXPIRE_DAYS,
  });
}

/**
 * Brings the viewer's watch points for one stream up to min(POINTS_WATCH_CAP, POINTS_WATCH_PER_MINUTE
 * x whole minutes watched), within the stream cap. Idempotent: calling it again with the same or a
 * smaller `watchSec` grants nothing. Returns the points granted by this call.
 */
export async function grantWatchPoints(
  ctx: AppContext,
  w: { brandId: string; streamId: string; viewerId: string; watchSec: number },
): Promise<number> {
  const args = watchGrant(ctx, w);
  return args ? pointsStore(ctx).grant(args) : 0;
}

/**
 * The same top-ups for many viewers of one stream, queued on a pipeline as one script call (the rollup's
 * batch); viewers with nothing to grant are left out. Answers how many were queued.
 */
export function queueWatchPointsBatch(
  ctx: AppContext,
  pipeline: ChainableCommander,
  w: { brandId: string; streamId: string; viewers: readonly { viewerId: string; watchSec: number }[]; olderLayoutGone?: boolean },
): number {
  const viewers: { viewerId: string; points: number }[] = [];
  for (const { viewerId, watchSec } of w.viewers) {
    const points = watchTarget(ctx, watchSec);
    if (points > 0) viewers.push({ viewerId, points });
  }
  if (viewers.length === 0) return 0;
  pointsStore(ctx).queueGrantBatch(pipeline, {
    brandId: w.brandId,
    grantId: `watch:${w.streamId}`,
    mode: 'topup',
    cappedStreamId: w.streamId,
    streamCap: ctx.config.POINTS_STREAM_CAP,
    now: ctx.clock.now(),
    expireDays: ctx.config.POINTS_EXPIRE_DAYS,
    viewers,
    olderLayoutGone: w.olderLayoutGone ?? false,
  });
  return viewers.length;
}

const OLDER_KEY = /^\{b:(.+?)\}:points:(.+):(lots|grants|streams)$/;

/**
 * Folds every viewer's points the layout before left (three hashes per viewer) into the one hash of today
 * (points-fold-4.lua, one viewer at a time, adding up), then marks the deployment (pointsLayoutKey) so the
 * rollup names one key per viewer. A walk of the whole keyspace (every master of a cluster): the rollup runs
 * it once per deployment, the first time it finds no mark. Idempotent; answers the viewers folded.
 */
export async function foldOlderPoints(ctx: AppContext): Promise<number> {
  const prefix = ctx.keys.prefix;
  let folded = 0;
  await scanKeys(ctx, `${globEscape(prefix)}{b:*}:points:*`, async (keys) => {
    const seen = new Set<string>();
    const folds: Promise<boolean>[] = [];
    for (const key of keys) {
      const m = OLDER_KEY.exec(key.slice(prefix.length));
      if (!m) continue;
      const [, brandId = '', viewerId = ''] = m;
      const id = `${brandId}\n${viewerId}`;
      if (seen.has(id)) continue;
      seen.add(id);
      folds.push(pointsFold.run(ctx.redis, ctx.keys, { brandId, viewerId }));
    }
    for (const done of await Promise.all(folds)) if (done) folded++;
  });
  await ctx.redis.set(pointsLayoutKey(ctx.keys), '1');
  if (folded > 0) ctx.log.info({ viewers: folded }, 'points of the layout before folded into one hash per viewer');
  return folded;
}

const layoutChecks = new WeakMap<AppContext, Promise<boolean>>();

/**
 * Whether the deployment holds no points in the layout before (its mark is set), folding them first when the
 * mark is missing (foldOlderPoints): asked once per context. false when the fold failed (the rollup then names
 * the older keys too, and asks again next time).
 */
export function olderPointsGone(ctx: AppContext): Promise<boolean> {
  const known = layoutChecks.get(ctx);
  if (known) return known;
  const check = (async () => {
    if ((await ctx.redis.get(pointsLayoutKey(ctx.keys))) === '1') return true;
    await foldOlderPoints(ctx);
    return true;
  })().catch((err: unknown) => {
    ctx.log.warn({ err }, 'points of the layout before not folded yet: the rollup names their keys');
    layoutChecks.delete(ctx);
    return false;
  });
  layoutChecks.set(ctx, check);
  return check;
}

const watchTarget = (ctx: AppContext, watchSec: number): number =>
  Math.min(ctx.config.POINTS_WATCH_CAP, ctx.config.POINTS_WATCH_PER_MINUTE * Math.floor(Math.max(0, watchSec) / 60));

function watchGrant(ctx: AppContext, w: { brandId: string; streamId: string; viewerId: string; watchSec: number }): GrantArgs | null {
  const target = watchTarget(ctx, w.watchSec);
  if (target <= 0) return null;
  return {
    brandId: w.brandId,
    viewerId: w.viewerId,
    grantId: `watch:${w.streamId}`,
    mode: 'topup',
    points: target,
    cappedStreamId: w.streamId,
    streamCap: ctx.config.POINTS_STREAM_CAP,
    now: ctx.clock.now(),
    expireDays: ctx.config.POINTS_EXPIRE_DAYS,
  };
}

/** A viewer's balance with a brand, their tier, the next tier, and the points that expire soonest. */
export async function pointsBalance(ctx: AppContext, brandId: string, viewerId: string): Promise<PointsBalance> {
  return balanceOfLots(ctx, brandId, await pointsStore(ctx).lots(brandId, viewerId, ctx.clock.now()));
}

/** The balance, tier and soonest expiry of unexpired lots given soonest first. */
export function balanceOfLots(ctx: AppContext, brandId: string, lots: readonly PointLot[]): PointsBalance {
  const balance = lots.reduce((sum, l) => sum + l.points, 0);
  const { tier, next } = loyaltyTierFor(loyaltyTiers(ctx), balance);
  const out: PointsBalance = { brandId, balance, tier };
  if (next) out.nextTier = { name: next.name, at: next.at };
  const soonest = lots[0];
  if (soonest) out.expiring = { points: soonest.points, at: soonest.expiresAt };
  return out;
}
