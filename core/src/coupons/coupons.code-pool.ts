import { perContext, type AppContext } from '../context.js';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { SlotBatch } from '../redis/slot-batch.js';
import { newCouponCode } from './coupons.codes.js';
import { codeIndexKey } from './coupons.keys.js';

/** Codes reserved per round trip when a stream's pool runs low (more when more claims are waiting). */
export const POOL_BATCH = 32;
/** Codes a pool keeps at most: what a refused claim gives back beyond this is withdrawn from the index. */
export const POOL_MAX = 4 * POOL_BATCH;
/** A pool left unused this long gives its codes back (the stream ended, or its drops did). */
export const POOL_IDLE_MS = 120_000;

interface StreamPool {
  codes: string[];
  refill: Promise<void> | null;
  /** Claims waiting for the running refill: the next batch is at least this big. */
  waiting: number;
  usedAt: number;
}

/**
 * Coupon codes reserved ahead, per stream, on one node. A code must be in the global index (under its
 * stream) before the claim script issues it; reserving one per claim cost every claim of a burst a round
 * trip, and every refused claim a second one to withdraw it. The pool reserves codes in batches (one
 * flight of SET NX) and takes back the code of a claim the script refused, for the next claim.
 *
 * A reserved code nobody is given is harmless (the webhook also checks the stream's record of codes), so
 * a node that dies with a full pool leaves at most a batch of such entries per stream; a live node gives
 * an idle pool's codes back.
 */
export class CodePool {
  private readonly pools = new Map<string, StreamPool>();
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly now: () => number,
  ) {}

  /** A code reserved under `streamId` that no claim holds. */
  async take(streamId: string): Promise<string> {
    const pool = this.pool(streamId);
    for (;;) {
      pool.usedAt = this.now();
      const code = pool.codes.pop();
      if (code !== undefined) {
        if (pool.codes.length < POOL_BATCH / 4 && !pool.refill) this.startRefill(pool, streamId);
        return code;
      }
      pool.waiting++;
      if (!pool.refill) this.startRefill(pool, streamId);
      try {
        await pool.refill;
      } finally {
        pool.waiting--;
      }
    }
  }

  /** A code the script answered it did not issue: the next claim of the stream may use it. */
  giveBack(streamId: string, code: string): void {
    const pool = this.pool(streamId);
    if (pool.codes.length < POOL_MAX) pool.codes.push(code);
    else void this.redis.del(codeIndexKey(this.keys, code)).catch(() => undefined);
  }

  /** Withdraws every pooled code of the stream (its end, an idle pool, shutdown). Best effort. */
  async release(streamId: string): Promise<void> {
    const pool = this.pools.get(streamId);
    if (!pool) return;
    this.pools.delete(streamId);
    await pool.refill?.catch(() => undefined);
    if (pool.codes.length === 0) return;
    const batch = new SlotBatch(this.redis);
    for (const code of pool.codes) batch.for(codeIndexKey(this.keys, code)).del(codeIndexKey(this.keys, code));
    await batch.exec().catch(() => undefined);
  }

  /** Gives every pool back, waiting at most `waitMs` (a Redis that is away must not hold a shutdown). */
  async close(waitMs = 1000): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    const released = Promise.all([...this.pools.keys()].map((id) => this.release(id)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([released, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  private pool(streamId: string): StreamPool {
    let pool = this.pools.get(streamId);
    if (!pool) {
      this.pools.set(streamId, (pool = { codes: [], refill: null, waiting: 0, usedAt: this.now() }));
      this.sweeper ??= setInterval(() => this.sweep(), POOL_IDLE_MS / 2);
      this.sweeper.unref();
    }
    return pool;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, pool] of this.pools) if (now - pool.usedAt >= POOL_IDLE_MS && pool.waiting === 0) this.release(id).catch(() => undefined);
    if (this.pools.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private startRefill(pool: StreamPool, streamId: string): void {
    const n = Math.min(POOL_MAX, Math.max(POOL_BATCH, pool.waiting));
    pool.refill = this.reserve(streamId, n)
      .then((codes) => {
        pool.codes.push(...codes);
        // codes given back while this batch was out may have filled the pool: the surplus goes back
        for (const code of pool.codes.splice(POOL_MAX + pool.waiting)) void this.redis.del(codeIndexKey(this.keys, code)).catch(() => undefined);
      })
      .finally(() => {
        pool.refill = null;
      });
    // a failed refill reaches the claims awaiting it; nobody else holds this promise
    pool.refill.catch(() => undefined);
  }

  /** Reserves up to n fresh codes in one flight; a code already taken (a 60-bit collision) is skipped. */
  private async reserve(streamId: string, n: number): Promise<string[]> {
    const codes = Array.from({ length: n }, newCouponCode);
    // one pipeline on a single Redis; on a cluster, one per code's slot, sent together
    const batch = new SlotBatch(this.redis);
    for (const code of codes) batch.for(codeIndexKey(this.keys, code)).set(codeIndexKey(this.keys, code), streamId, 'NX');
    const res = await batch.exec();
    const failed = res.find(([err]) => err);
    if (failed) throw failed[0];
    return codes.filter((_, i) => res[i]?.[1] === 'OK');
  }
}

export const codePool = perContext((ctx: AppContext) => new CodePool(ctx.redis, ctx.keys, () => ctx.clock.now()));
