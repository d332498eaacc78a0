import type { StreamSummary } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { Lease } from '../redis/lease.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { Audience } from './summary.audience.js';
import { computeSummary } from './summary.compute.js';
import { summaryKeys } from './summary.keys.js';
import { summaryStore } from './summary.viewers.js';

/** A refresher that stops (dies, hangs, loses Redis) hands over to another node after this long. */
export const LEASE_MS = 60_000;
/** A live summary stays stored this long after its last refresh (no reader: nobody refreshes it). */
const STORED_MS = 10 * 60_000;
/** A node forgets a stream's audience when it has not refreshed it for this long. */
const IDLE_MS = 5 * 60_000;

/**
 * The refreshing half of the live summary (see LiveSummaries): takes the stream's lease, brings the audience
 * this node keeps for the stream up to date, computes every figure and stores the result for every node.
 * It runs in the node's summary thread (summary.thread.ts), so the audience lives in that thread's heap and
 * the per-viewer pass never holds up the node's requests.
 */
export class Refresher {
  private readonly audiences = new Map<string, { audience: Audience; usedAt: number }>();

  constructor(private readonly ctx: AppContext) {}

  /** The stream's live summary, computed and stored now; null: another node holds the lease (it refreshes). */
  async refresh(stream: StreamRecord): Promise<StreamSummary | null> {
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
}
