import type { Redis } from 'ioredis';
import type { DropPublic } from '@stickyroom/sdk/protocol';
import type { Keys } from '../redis/keys.js';
import type { EventGate } from '../redis/event-gate.js';
import { runScript } from '../redis/scripts.js';
import { activityKeys } from '../activity/activity.keys.js';
import { streamKeys } from '../streams/streams.keys.js';
import type { CouponRecord } from './coupons.codes.js';
import { couponKeys, dropIndexKey, dropKeys, opField } from './coupons.keys.js';

export type DropEndReason = 'sold_out' | 'expired' | 'ended';

export interface DropRecord extends DropPublic {
  brandId: string;
  createdAt: number;
  status: 'open' | 'ended';
  endReason?: DropEndReason;
  endedAt?: number;
}

/** What the claim script answered: a code, or the refusal. */
export type ClaimOutcome =
  | { ok: true; code: string; remaining: number; pushStock: boolean; soldOutNow: boolean }
  | { ok: false; refusal: ClaimRefusal; remaining: number; watchedMs: number };

export type ClaimRefusal = 'closed' | 'sold_out' | 'already_done' | 'not_eligible' | 'not_found' | 'not_live';

/** The claim script's negative answers, in one table. */
const REFUSALS: Record<number, ClaimRefusal> = {
  [-1]: 'closed',
  [-2]: 'sold_out',
  [-3]: 'already_done',
  [-4]: 'not_eligible',
  [-5]: 'not_found',
  [-6]: 'not_live',
};

function parseDrop(h: Record<string, string>): DropRecord | null {
  if (!h.id || !h.streamId) return null;
  const d: DropRecord = {
    id: h.id,
    streamId: h.streamId,
    brandId: h.brandId ?? '',
    title: h.title ?? '',
    discount: { type: h.discountType === 'amount' ? 'amount' : 'percent', value: Number(h.discountValue) },
    quantity: Number(h.quantity),
    remaining: Number(h.remaining),
    perViewer: Number(h.perViewer),
    endsAt: Number(h.endsAt),
    createdAt: Number(h.createdAt),
    status: h.status === 'open' ? 'open' : 'ended',
  };
  if (h.minWatchSec && Number(h.minWatchSec) > 0) d.minWatchSec = Number(h.minWatchSec);
  if (h.endReason) d.endReason = h.endReason as DropEndReason;
  if (h.endedAt) d.endedAt = Number(h.endedAt);
  return d;
}

export function publicDrop(d: DropRecord): DropPublic {
  const p: DropPublic = {
    id: d.id,
    streamId: d.streamId,
    title: d.title,
    discount: d.discount,
    quantity: d.quantity,
    remaining: d.remaining,
    perViewer: d.perViewer,
    endsAt: d.endsAt,
  };
  if (d.minWatchSec !== undefined) p.minWatchSec = d.minWatchSec;
  return p;
}

export class CouponStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Indexes the drop id globally first (claims find the stream through it), then writes the drop. */
  async create(d: DropRecord): Promise<void> {
    await this.redis.set(dropIndexKey(this.keys, d.id), d.streamId);
    const k = dropKeys(this.keys, d.streamId, d.id);
    const c = couponKeys(this.keys, d.streamId);
    await this.redis
      .multi()
      .hset(k.meta, {
        id: d.id,
        streamId: d.streamId,
        brandId: d.brandId,
        title: d.title,
        discountType: d.discount.type,
        discountValue: d.discount.value,
        quantity: d.quantity,
        remaining: d.remaining,
        perViewer: d.perViewer,
        minWatchSec: d.minWatchSec ?? 0,
        createdAt: d.createdAt,
        endsAt: d.endsAt,
        status: 'open',
      })
      .zadd(c.open, d.endsAt, d.id)
      .zadd(c.all, d.createdAt, d.id)
      .exec();
  }

  dropStream(dropId: string): Promise<string | null> {
    return this.redis.get(dropIndexKey(this.keys, dropId));
  }

  async get(streamId: string, dropId: string): Promise<DropRecord | null> {
    return parseDrop(await this.redis.hgetall(dropKeys(this.keys, streamId, dropId).meta));
  }

  /** Drops of the stream not ended yet, soonest end first. */
  async open(streamId: string): Promise<DropRecord[]> {
    const ids = await this.redis.zrange(couponKeys(this.keys, streamId).open, 0, 99);
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(dropKeys(this.keys, streamId, id).meta);
    const res = (await p.exec()) ?? [];
    return res.flatMap(([err, h]) => {
      const d = err ? null : parseDrop(h as Record<string, string>);
      return d && d.status === 'open' ? [d] : [];
    });
  }

  async claim(a: {
    streamId: string;
    dropId: string;
    viewerId: string;
    opId?: string | undefined;
    record: CouponRecord;
    now: number;
    stockIntervalMs: number;
    /** How long a refusal is kept for a retry with the same opId (coupon-claim-10.lua says why). */
    refusalReplayMs: number;
    gate?: EventGate | undefined;
  }): Promise<ClaimOutcome> {
    const k = dropKeys(this.keys, a.streamId, a.dropId);
    const op = a.opId ? opField(a.viewerId, a.opId) : '';
    const [answer, remaining, push, soldOut, watched] = await runScript<[number | string, number, number, number, number]>(
      this.redis,
      'couponClaim',
      [
        streamKeys(this.keys, a.streamId).meta,
        k.meta,
        k.claims,
        k.ops,
        couponKeys(this.keys, a.streamId).codes,
        activityKeys(this.keys, a.streamId).viewer(a.viewerId),
        couponKeys(this.keys, a.streamId).open,
        k.stockPending,
        k.stockToken,
        k.refusedOp(op || '-'),
      ],
      [a.viewerId, op, a.record.code, a.now, JSON.stringify(a.record), a.stockIntervalMs, a.refusalReplayMs],
      a.gate,
    );
    if (typeof answer === 'string') return { ok: true, code: answer, remaining, pushStock: push === 1, soldOutNow: soldOut === 1 };
    return { ok: false, refusal: REFUSALS[answer] ?? 'closed', remaining, watchedMs: watched };
  }

  /** Tries a pending stock push: the remaining count to push, 'none', or how long to wait before trying again. */
  async stock(streamId: string, dropId: string, intervalMs: number): Promise<{ push: number } | { waitMs: number } | 'none'> {
    const k = dropKeys(this.keys, streamId, dropId);
    const [state, n] = await runScript<[number, number]>(this.redis, 'couponStock', [k.meta, k.stockPending, k.stockToken], [intervalMs]);
    if (state === 1) return { push: n };
    if (state === -1) return { waitMs: n };
    return 'none';
  }

  /** Ends an open drop; `changed` only for the one call that ended it. */
  async end(
    streamId: string,
    dropId: string,
    reason: 'expired' | 'ended',
    now: number,
  ): Promise<{ found: boolean; changed: boolean; quantity: number; remaining: number }> {
    const k = dropKeys(this.keys, streamId, dropId);
    const [changed, quantity, remaining] = await runScript<[number, number, number]>(
      this.redis,
      'couponEnd',
      [k.meta, couponKeys(this.keys, streamId).open, k.ops],
      [reason, now, dropId],
    );
    return { found: changed !== -1, changed: changed === 1, quantity, remaining };
  }

  async openIds(streamId: string): Promise<string[]> {
    return this.redis.zrange(couponKeys(this.keys, streamId).open, 0, -1);
  }
}
