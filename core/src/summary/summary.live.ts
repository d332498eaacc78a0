import { setTimeout as delay } from 'node:timers/promises';
import type { StreamSummary } from '@stickyroom/sdk/protocol';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { computeSummary } from './summary.compute.js';
import { LEASE_MS } from './summary.refresher.js';
import { SummaryThread } from './summary.thread-client.js';
import { summaryStore } from './summary.viewers.js';

/** How often a node waiting for a fresh summary another node computes looks for it. */
const POLL_MS = 100;

/**
 * The live summary of each stream, computed off the request path by one node at a time and shared through
 * Redis. A read answers the stored summary when it is at most SUMMARY_LIVE_MAX_AGE_MS old; one older than
 * SUMMARY_LIVE_REFRESH_MS makes the reading node refresh it in the background, if it gets the stream's
 * lease (else another node is at it). The refresh runs in the node's summary thread (summary.thread.ts): its
 * Redis reads, the per-viewer pass and the audience it keeps per stream (so its next refresh reads only the
 * viewers who changed or joined since) stay off the event loop that answers requests. A read that finds nothing
 * fresh enough waits for the refresh. SUMMARY_LIVE_MAX_AGE_MS = 0: every read computes, on the request's own
 * event loop (shared by concurrent reads), as before issue 11.
 */
export class LiveSummaries {
  private readonly running = new Map<string, Promise<StreamSummary | null>>();
  /** Where this node's refreshes run (started on the first one). */
  readonly thread: SummaryThread;

  constructor(private readonly ctx: AppContext) {
    this.thread = new SummaryThread(ctx.config, ctx.log);
  }

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

  /** The refresh itself, in the summary thread, at the node's time (a test's clock, the simulator's). */
  private refreshNow(stream: StreamRecord): Promise<StreamSummary | null> {
    return this.thread.refresh(stream, this.ctx.clock.now());
  }

  /** Ends the summary thread once it finished the refreshes in hand (server shutdown), at most `graceMs`. */
  close(graceMs?: number): Promise<void> {
    return this.thread.close(graceMs);
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
