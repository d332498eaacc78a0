import { setTimeout as delay } from 'node:timers/promises';
import type { StreamSummary } from '@stickyroom/sdk/protocol';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { Lease } from '../redis/lease.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { Audience } from './summary.audience.js';
import { computeSummary } from './summary.compute.js';
import { summaryKeys } from './summary.keys.js';
import { summaryStore } from './summary.viewers.js';

/** A refresher that stops (dies, hangs, loses Redis) hands over to another node after this long. */
const LEASE_MS = 60_000;
/** How often a node waiting for a fresh summary another node computes looks for it. */
const POLL_MS = 100;
/** A live summary stays stored this long after its last refresh (no reader: nobody refreshes it). */
const STORED_MS = 10 * 60_000;
/** A node forgets a stream's audience when it has not refreshed it for this long. */
const IDLE_MS = 5 * 60_000;

/**
 * The live summary of each stream, computed off the request path by one node at a time and shared through
 * Redis. A read answers the stored summary when it is at most SUMMARY_LIVE_MAX_AGE_MS old; one older than
 * SUMMARY_LIVE_REFRESH_MS makes the reading node refresh it in the background, if it gets the stream's
 * lease (else another node is at it). Each node keeps the audience of the streams it refreshed in memory,
 * so its next refresh reads only the viewers who changed or joined since. A read that finds nothing fresh enough
 * waits for the refresh. SUMMARY_LIVE_MAX_AGE_MS = 0: every read computes (shared by concurrent reads).
 */
export class LiveSummaries {
  private readonly audiences = new Map<string, { audience: Audience; usedAt: number }>();
  private readonly running = new Map<string, Promise<StreamSummary | null>>();

  constructor(private readonly ctx: AppContext) {}

  async read(stream: StreamRecord): Promise<StreamSummary> {
    const { SUMMARY_LIVE_MAX_AGE_MS: maxAge, SUMMARY_LIVE_REFRESH_MS: refreshAfter } = this.ctx.config;
    if (maxAge === 0) return this.computeShared(stream);
    const stored = await summaryStore(this.ctx).readLive(stream.id);
    // one computed before the stream started or ended does not describe it any more
    const cached = stored && stored.status === stream.status ? stored : null;
    const age = cached ? this.ctx.clock.now() - cached.computedAt : Infinity;
    if (age > refreshAfter) {
      this.refresh(stream).catch((err: unknown) => this.ctx.log.warn({ err, streamId: stream.id }, 'live summary refresh failed'));
    }
    if (cached && age <= maxAge) return cached;
    return this.waitFresh(stream, maxAge);
  }

  /** Refreshes the stream's live summary if this node holds (or gets) its lease; null: another node does. */
  refresh(stream: StreamRecord): Promise<StreamSummary | null> {
    const pending = this.running.get(stream.id);
    if (pending) return pending;
    const p = this.refreshNow(stream).finally(() => this.running.delete(stream.id));
    this.running.set(stream.id, p);
    return p;
  }

  private async refreshNow(stream: StreamRecord): Promise<StreamSummary | null> {
    // Held for the computation only: the next refresh goes to whichever node is asked first. Each node's
    // audience stays valid without the lease (it only reads what changed since its own last update).
    const lease = await Lease.acquire(this.ctx.redis, this.ctx.keys, summaryKeys(this.ctx.keys, stream.id).liveLease, LEASE_MS);
    if (!lease) return null;
    try {
      const now = Date.now();
      for (const [id, a] of this.audiences) if (now - a.usedAt > IDLE_MS) this.audiences.delete(id);
      const kept = this.audiences.get(stream.id) ?? { audience: new Audience(stream.id), usedAt: now };
      kept.usedAt = now;
      this.audiences.set(stream.id, kept);
      const { summary } = await computeSummary(this.ctx, stream, false, kept.audience);
      // Still the holder: a node whose lease ran out mid-way must not overwrite a newer summary.
      if (!(await lease.renew())) return null;
      await summaryStore(this.ctx).storeLive(summary, STORED_MS);
      return summary;
    } finally {
      await lease.release();
    }
  }

  /** Waits for a summary at most `maxAge` old: this node's refresh, or the one another node stores. */
  private async waitFresh(stream: StreamRecord, maxAge: number): Promise<StreamSummary> {
    const deadline = Date.now() + 2 * LEASE_MS;
    for (;;) {
      const mine = await this.refresh(stream);
      // a refresh already running when this read came may have started too long ago (a stalled clock)
      if (mine && this.ctx.clock.now() - mine.computedAt <= maxAge) return mine;
      if (mine) continue;
      await delay(POLL_MS);
      const cached = await summaryStore(this.ctx).readLive(stream.id);
      if (cached && cached.status === stream.status && this.ctx.clock.now() - cached.computedAt <= maxAge) return cached;
      if (Date.now() > deadline) throw new AppError('unavailable', 'the live summary is being computed, try again shortly', { retryAfterMs: 1000 });
    }
  }

  private readonly shared = new Map<string, Promise<StreamSummary>>();

  /** A summary computed now, shared by the reads of the stream that arrive meanwhile. */
  private computeShared(stream: StreamRecord): Promise<StreamSummary> {
    const pending = this.shared.get(stream.id);
    if (pending) return pending;
    const p = computeSummary(this.ctx, stream, false)
      .then((c) => c.summary)
      .finally(() => this.shared.delete(stream.id));
    this.shared.set(stream.id, p);
    return p;
  }
}

export const liveSummaries = perContext((ctx) => new LiveSummaries(ctx));
