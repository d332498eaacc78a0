import { perContext, type AppContext } from '../context.js';
import { STOCK_PUSH_INTERVAL_MS, type Audience } from '@stickyroom/sdk/protocol';
import { isRedisUnavailable, outageWarner } from '../redis/outage.js';
import type { CouponStore } from './coupons.store.js';
import { pushTo } from '../audience/audience.service.js';
import { roomPushInterval } from '../push/room-interval.js';
import { soldOutToldRoom } from '../pusher.js';
import { latchedDrops } from './coupons.latch.js';

/** Sockets of a node's room per STOCK_PUSH_INTERVAL_MS the stock interval grows by (see stockInterval). */
export const STOCK_SOCKETS_PER_STEP = 1000;
/** The longest stock interval: a big room still sees its stock move every second. */
export const STOCK_INTERVAL_MAX_MS = 1000;

/** How long after the interval's token lapses (by Redis's clock) a node comes back to push what is owed. */
export const FLUSH_SLACK_MS = 2;

/**
 * How often a drop's stock goes to a room whose sockets on this node number `localSockets`: every
 * STOCK_PUSH_INTERVAL_MS (4 a second) up to STOCK_SOCKETS_PER_STEP sockets, one more step per further
 * STOCK_SOCKETS_PER_STEP, at most STOCK_INTERVAL_MAX_MS. A push to a room costs one frame per socket: in a
 * 5,000-viewer flash sale the stock pushes, not the claims, were most of what the node wrote
 * (docs/benchmarks-history.md, claims), while a viewer reads nothing from a count that changes 4 times a second
 * that one changing every second would not tell them.
 */
export function stockInterval(localSockets: number): number {
  return roomPushInterval(STOCK_PUSH_INTERVAL_MS, localSockets, STOCK_SOCKETS_PER_STEP, STOCK_INTERVAL_MAX_MS);
}

/**
 * Room-wide coupon pushes on the trailing edge of the interval, from one node. A claim never pushes the
 * stock itself: the claim script flags what the room is owed and says when the interval's token lapses, and
 * this node comes back then and pushes what is still owed (any node's claims of the interval, coalesced):
 * the remaining count, or `coupon:ended` for a drop that sold out inside the interval. So the room's view
 * lags by an interval at most, a drop gets at most one room-wide push an interval, and a drop that sells
 * out inside one interval costs each socket one frame. Every node that made a claim comes back, so what is
 * owed goes out while one of them lives.
 */
class StockPusher {
  private readonly timers = new Map<string, { timer: ReturnType<typeof setTimeout> }>();
  private stopped = false;
  private readonly outage: (err: unknown) => void;

  constructor(
    private readonly ctx: AppContext,
    private readonly store: () => CouponStore,
    private readonly audience: (streamId: string, dropId: string) => Promise<Audience | undefined>,
  ) {
    this.outage = outageWarner(ctx.redis, ctx.log, 'a coupon stock push (retried every interval)');
  }

  later(streamId: string, dropId: string, waitMs = stockInterval(this.ctx.broadcast.localAudience(streamId))): void {
    if (this.stopped || this.timers.has(dropId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(dropId);
      this.tryPush(streamId, dropId).catch((err: unknown) => {
        // Redis away: try again next interval until it is back (one warning per outage); the push owed is
        // the current count, so nothing piles up.
        if (isRedisUnavailable(err)) this.outage(err);
        else this.ctx.log.warn({ err, dropId }, 'coupon stock push failed; trying again');
        this.later(streamId, dropId);
      });
    }, waitMs);
    timer.unref();
    this.timers.set(dropId, { timer });
  }

  private async tryPush(streamId: string, dropId: string): Promise<void> {
    const res = await this.store().stock(streamId, dropId, stockInterval(this.ctx.broadcast.localAudience(streamId)));
    if (res === 'none') return;
    if ('waitMs' in res) return this.later(streamId, dropId, res.waitMs + FLUSH_SLACK_MS);
    if ('ended' in res) latchedDrops(this.ctx).soldOut(dropId, res.ended);
    const audience = await this.audience(streamId, dropId);
    // the sockets a `sold_out` ack told already are left out (soldOutToldRoom)
    if ('ended' in res) pushTo(this.ctx, streamId, audience, [soldOutToldRoom(dropId)]).emit('coupon:ended', { dropId, streamId, reason: 'sold_out', claimed: res.ended });
    else pushTo(this.ctx, streamId, audience).emit('coupon:stock', { dropId, streamId, remaining: res.push });
  }

  stop(): void {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

export const makeStockPusher = (store: (ctx: AppContext) => CouponStore, audience: (ctx: AppContext, streamId: string, dropId: string) => Promise<Audience | undefined>) =>
  perContext((ctx) => new StockPusher(ctx, () => store(ctx), (streamId, dropId) => audience(ctx, streamId, dropId)));
