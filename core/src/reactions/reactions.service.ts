import type { StreamStatus } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { RateBuckets } from '../rate-buckets.js';
import { getStream } from '../streams/streams.service.js';
import { ReactionBuffer } from './reactions.buffer.js';
import { flushReactions, readTotals, type Totals } from './reactions.store.js';
import { roomPushInterval } from '../push/room-interval.js';
import { chatFanout } from '../chat/chat.service.js';

/** How long a node trusts the stream status it read, so a like costs no Redis round trip. */
const STATUS_TTL_MS = 1000;
const STATUS_CACHE_MAX = 10_000;

/**
 * Stream status per node, cached for about a second (on the process's monotonic time: a cache
 * lifetime, not a product rule). A stream that just started or ended is seen within that second.
 */
class StatusCache {
  private readonly entries = new Map<string, { status: Promise<StreamStatus>; at: number }>();

  status(ctx: AppContext, streamId: string): Promise<StreamStatus> {
    const now = performance.now();
    const hit = this.entries.get(streamId);
    if (hit && now - hit.at < STATUS_TTL_MS) return hit.status;
    if (this.entries.size >= STATUS_CACHE_MAX) {
      for (const [id, e] of this.entries) if (now - e.at >= STATUS_TTL_MS) this.entries.delete(id);
    }
    const status = getStream(ctx, streamId).then((s) => s.status);
    this.entries.set(streamId, { status, at: now });
    status.catch(() => this.entries.delete(streamId));
    return status;
  }
}

/** One node's reactions: the status cache, the coalescing buffer, and streams whose push is still owed. */
class NodeReactions {
  readonly statuses = new StatusCache();
  /** Taps per viewer and stream, capped before they reach the buffer (and so the totals and `likes`). */
  readonly taps: RateBuckets;
  readonly buffer = new ReactionBuffer();
  readonly retry = new Set<string>();
  /** Set while flushes fail (Redis away): one warning per outage, not one per tick. */
  failing = false;

  constructor(tapsPerSec: number) {
    this.taps = new RateBuckets(tapsPerSec);
  }
}

const node = perContext((ctx) => new NodeReactions(ctx.config.REACTION_RATE_LIMIT));

/** Accepts a reaction into this node's buffer; it reaches Redis and the room with the next flush. */
export async function sendReaction(ctx: AppContext, user: User, streamId: string, kind: string, count: number): Promise<void> {
  const status = await node(ctx).statuses.status(ctx, streamId);
  if (status !== 'live') throw new AppError('not_live', `the stream is ${status}`);
  // One viewer with many sockets once put 400,000 likes a second into the totals: taps over the cap
  // are dropped here, per node (a user's sockets on one node share the cap; see docs/protocol.md).
  const perSec = ctx.config.REACTION_RATE_LIMIT;
  const { granted, retryAfterMs } = node(ctx).taps.take(`${streamId}\n${user.id}`, performance.now(), count);
  if (granted === 0) throw new AppError('rate_limited', `at most ${perSec} reactions a second`, { retryAfterMs });
  // Only a viewer's reactions count for their scoring; staff reactions show in the totals alone.
  node(ctx).buffer.add(streamId, kind, granted, user.role === 'viewer' ? user.id : undefined);
}

export function reactionTotals(ctx: AppContext, streamId: string): Promise<Totals> {
  return readTotals(ctx.redis, ctx.keys, streamId);
}

/** Sockets of a node's room per REACTION_FLUSH_MS the totals' push interval grows by (see reactionPushInterval). */
export const REACTION_SOCKETS_PER_STEP = 2000;
/** The longest push interval of the totals (unless REACTION_FLUSH_MS itself is longer). */
export const REACTION_PUSH_MAX_MS = 2000;

/**
 * How often `reaction:totals` goes to a room whose sockets on this node number `localSockets`: every
 * `flushMs` (REACTION_FLUSH_MS, twice a second by default) up to REACTION_SOCKETS_PER_STEP sockets, one
 * more step per further REACTION_SOCKETS_PER_STEP, at most REACTION_PUSH_MAX_MS. Each push is one frame per
 * socket: in a 10,000-viewer room, totals twice a second were 20,000 frames a second on their own
 * (docs/benchmarks-history.md, room). The counts are still written every flush; only the room's view is coarser.
 */
export function reactionPushInterval(flushMs: number, localSockets: number): number {
  return roomPushInterval(flushMs, localSockets, REACTION_SOCKETS_PER_STEP, REACTION_PUSH_MAX_MS);
}

/** Writes what this node gathered in one pipeline and pushes totals where this node holds the interval. */
export async function flush(ctx: AppContext, { drain }: { drain: boolean }): Promise<void> {
  const n = node(ctx);
  const batch = drain ? n.buffer.drain() : new Map();
  const retry = [...n.retry];
  if (batch.size === 0 && retry.length === 0) return;
  const outcomes = await flushReactions(ctx.redis, ctx.keys, batch, retry, {
    intervalMs: (streamId) => reactionPushInterval(ctx.config.REACTION_FLUSH_MS, ctx.broadcast.localAudience(streamId)),
    cap: ctx.config.REACTION_SCORE_CAP,
    now: ctx.clock.now(),
  });
  let failures = 0;
  for (const o of outcomes) {
    if (o.failed) {
      failures++;
      n.buffer.restore(o.streamId, o.failed);
    }
    if (o.retry) n.retry.add(o.streamId);
    else n.retry.delete(o.streamId);
    if (o.push) chatFanout(ctx).pushState(o.streamId, 'reaction:totals', { streamId: o.streamId, totals: o.push });
  }
  if (failures > 0 && !n.failing) ctx.log.warn({ streams: failures }, 'reaction flush failed; the counts are kept for the next flush');
  if (failures === 0 && n.failing) ctx.log.info('reaction flushes reach Redis again');
  n.failing = failures > 0;
}

/**
 * Flushes every REACTION_FLUSH_MS; between flushes, quarter-interval ticks retry pushes another node
 * held, so the room's totals lag by about an interval at most. Stopping flushes what is left.
 */
export function startReactionFlushes(ctx: AppContext): () => Promise<void> {
  const interval = ctx.config.REACTION_FLUSH_MS;
  const tickMs = Math.max(25, Math.floor(interval / 4));
  let lastFlush = performance.now();
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    const due = performance.now() - lastFlush >= interval - tickMs / 2;
    if (!due && node(ctx).retry.size === 0) return;
    if (due) lastFlush = performance.now();
    running = flush(ctx, { drain: due })
      .catch((err: unknown) => ctx.log.warn({ err: (err as Error).message }, 'reaction flush failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
    node(ctx).retry.clear();
    if (!node(ctx).buffer.isEmpty) await flush(ctx, { drain: true }).catch((err: unknown) => ctx.log.error({ err }, 'final reaction flush failed'));
  };
}
