import type { Audience } from '@stickyroom/sdk/protocol';
import { AUDIENCE_REFUSAL_REASON } from '@stickyroom/sdk/protocol';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { Emitter } from '../pusher.js';
import { parseHistory } from '../scoring/scoring.history.js';
import { scoringKeys } from '../scoring/scoring.keys.js';
import { scoringStore, streamTime } from '../scoring/scoring.store.js';
import { pointsLotsRead } from '../points/points.scripts.js';
import { joinLookup } from '../room/join-reads.js';
import { rate, segmentAt } from '../stickiness/index.js';
import { balanceOfLots, loyaltyTiers } from '../points/points.service.js';
import { unexpiredLots } from '../points/points.store.js';
import { getStream } from '../streams/streams.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { audienceRooms, isEligible, parseAudience, type Standing } from './audience.js';

export * from './audience.js';

/** How long a node reuses a viewer's standing for a stream (the join's read serves the claims after it). */
export const STANDING_CACHE_MS = 60_000;
const CACHE_MAX = 50_000;

/** The configured tier names, lowest first. */
export const tierNames = perContext((ctx) => loyaltyTiers(ctx).map((t) => t.name));

/** A stream, or its id (read only when the viewer's standing is not cached). */
export type StreamRef = string | Pick<StreamRecord, 'id' | 'brandId' | 'startedAt' | 'createdAt'>;

class StandingCache {
  private readonly entries = new Map<string, { at: number; value: Promise<Standing> }>();
  get(key: string, now: number): Promise<Standing> | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (now - hit.at >= STANDING_CACHE_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }
  set(key: string, now: number, value: Promise<Standing>): void {
    this.entries.delete(key);
    this.entries.set(key, { at: now, value });
    if (this.entries.size > CACHE_MAX) this.entries.delete(this.entries.keys().next().value!);
    value.catch(() => this.entries.delete(key));
  }
}
const standingCache = perContext(() => new StandingCache());

/**
 * A viewer's standing for a stream: their segment with the brand as of the stream's start (from their
 * history without this stream and anything after it, so it holds for the whole stream) and their points
 * tier. Two reads sent together, in the brand's slot; a node reuses the result for STANDING_CACHE_MS.
 */
export function viewerStanding(ctx: AppContext, stream: StreamRef, viewerId: string): Promise<Standing> {
  const now = ctx.clock.now();
  const cache = standingCache(ctx);
  const streamId = typeof stream === 'string' ? stream : stream.id;
  const key = `${streamId}\n${viewerId}`;
  const hit = cache.get(key, now);
  if (hit) return hit;
  const value = (typeof stream === 'string' ? getStream(ctx, stream) : Promise.resolve(stream)).then((s) => readStanding(ctx, s, viewerId, now));
  cache.set(key, now, value);
  return value;
}

async function readStanding(ctx: AppContext, stream: Pick<StreamRecord, 'id' | 'brandId' | 'startedAt' | 'createdAt'>, viewerId: string, now: number): Promise<Standing> {
  // Two commands for the viewers of one moment (a join storm when the stream goes live: every join a first
  // one), not two per viewer; never an ioredis pipeline, which copies every defined script onto itself
  // (about 30 KB each, the largest allocation of a first join in a heap profile).
  const { brandId } = stream;
  const [packed, lots] = await Promise.all([
    joinLookup(ctx, stream.id, 'standing:history', viewerId, (ids) => ctx.redis.hmget(scoringKeys(ctx.keys, brandId).history, ...ids)),
    joinLookup(ctx, stream.id, 'standing:lots', viewerId, (ids) => pointsLotsRead.run(ctx.redis, ctx.keys, { brandId, viewerIds: ids })),
  ]);
  const params = scoringStore(ctx).params;
  const at = streamTime(stream);
  const earlier = parseHistory(packed).entries.filter((e) => e.streamId !== stream.id && e.startedAt < at);
  const r = rate(earlier, params);
  const segment = r ? segmentAt(r, at, params) : 'new';
  return { segment, tier: balanceOfLots(ctx, stream.brandId, unexpiredLots(lots ?? {}, now)).tier };
}

/** Throws `not_eligible` (reason `audience`) unless the viewer's standing is in the item's audience. */
export async function requireAudience(
  ctx: AppContext,
  stream: StreamRef,
  viewerId: string,
  audience: Audience | undefined,
  what: string,
): Promise<void> {
  if (!audience) return;
  const verdict = isEligible(audience, await viewerStanding(ctx, stream, viewerId));
  if (!verdict.ok) throw new AppError('not_eligible', `this ${what} is ${verdict.message}`, { reason: AUDIENCE_REFUSAL_REASON });
}

/**
 * Where a push about an item for `audience` goes: the whole room when untargeted, else the admitted viewers
 * and the staff; minus the sockets in the `except` rooms.
 */
export function pushTo(ctx: AppContext, streamId: string, audience: Audience | undefined, except?: readonly string[]): Emitter {
  return audience ? ctx.broadcast.toRooms(audienceRooms(streamId, audience, tierNames(ctx)), except) : ctx.broadcast.toStream(streamId, except);
}

/**
 * Items' audiences as this node has read them, the most recent 2,000: an audience is set when its item (a
 * drop, a poll) is made and never changes, so acting on an untargeted item costs no read after the node's
 * first, and concurrent first reads share one. `load` answers the stored form, null for no such item (yet:
 * not remembered, asked again next time).
 */
export class AudienceCache {
  private readonly byItem = new Map<string, Promise<Audience | undefined>>();
  get(itemId: string, load: () => Promise<string | null>): Promise<Audience | undefined> {
    const hit = this.byItem.get(itemId);
    if (hit) return hit;
    const p = load().then((raw) => {
      if (raw === null) this.byItem.delete(itemId);
      return parseAudience(raw);
    });
    p.catch(() => this.byItem.delete(itemId));
    this.byItem.set(itemId, p);
    if (this.byItem.size > 2000) this.byItem.delete(this.byItem.keys().next().value!);
    return p;
  }
}
