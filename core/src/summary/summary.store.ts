import type { RedisClient } from '../redis/client.js';
import type { StreamSummary } from '@stickyroom/sdk/protocol';
import type { Keys } from '../redis/keys.js';
import { activityKeys } from '../activity/activity.keys.js';
import type { ViewerActivity } from '../activity/activity.metrics.js';
import { readActivities } from '../activity/activity.store.js';
import { presenceKeys } from '../presence/presence.keys.js';
import { brandSummaryKeys, summaryKeys } from './summary.keys.js';

/** Per-viewer reads and writes go in batches of this many: bounded work per Redis round trip. */
export const BATCH = 500;
/** SSCAN / ZSCAN page size: ids only, so a larger page is still cheap per round trip. */
const SCAN_PAGE = 5000;

/**
 * The summary's own keys (stored summary, viewer snapshot, the brand's first-seen indexes) and the
 * batched reads of the presence and activity keys it aggregates.
 */
export class SummaryStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async readFinal(streamId: string): Promise<StreamSummary | null> {
    const raw = await this.redis.get(summaryKeys(this.keys, streamId).final);
    return raw ? (JSON.parse(raw) as StreamSummary) : null;
  }

  /** The latest live summary any node stored (null: none, or expired). */
  async readLive(streamId: string): Promise<StreamSummary | null> {
    const raw = await this.redis.get(summaryKeys(this.keys, streamId).live);
    return raw ? (JSON.parse(raw) as StreamSummary) : null;
  }

  async storeLive(summary: StreamSummary, ttlMs: number): Promise<void> {
    await this.redis.set(summaryKeys(this.keys, summary.streamId).live, JSON.stringify(summary), 'PX', ttlMs);
  }

  /** Stores the final summary unless one is stored already; returns the one that is stored. */
  async storeFinal(summary: StreamSummary): Promise<{ stored: StreamSummary; created: boolean }> {
    const key = summaryKeys(this.keys, summary.streamId).final;
    const created = (await this.redis.set(key, JSON.stringify(summary), 'NX')) === 'OK';
    if (created) return { stored: summary, created };
    return { stored: (await this.readFinal(summary.streamId))!, created };
  }

  /**
   * Everyone who counts as a viewer of the stream: the snapshot taken at finalization when there is one
   * (it is complete once the final summary exists), else whoever joined (presence) or has activity.
   */
  async population(streamId: string): Promise<Set<string>> {
    const s = summaryKeys(this.keys, streamId);
    const out = new Set<string>();
    if (await this.redis.exists(s.final)) {
      await this.scan('sscan', s.viewers, (ids) => ids.forEach((id) => out.add(id)));
      return out;
    }
    await this.scan('zscan', presenceKeys(this.keys, streamId).unique, (ids) => ids.forEach((id) => out.add(id)));
    await this.scan('zscan', activityKeys(this.keys, streamId).dirty, (ids) => ids.forEach((id) => out.add(id)));
    return out;
  }

  /**
   * `population`, plus anyone with ledger activity recorded after the snapshot (an order attributed to the
   * stream after its finalization by someone who never joined): the stream's viewers by definition, as of now.
   */
  async currentPopulation(streamId: string): Promise<Set<string>> {
    const out = await this.population(streamId);
    if (await this.redis.exists(summaryKeys(this.keys, streamId).final)) {
      await this.scan('zscan', activityKeys(this.keys, streamId).dirty, (ids) => ids.forEach((id) => out.add(id)));
    }
    return out;
  }

  async snapshotViewers(streamId: string, ids: readonly string[]): Promise<void> {
    const key = summaryKeys(this.keys, streamId).viewers;
    // idempotent adds, sent together (one flight on the auto-pipelined connection)
    const adds: Promise<number>[] = [];
    for (let i = 0; i < ids.length; i += BATCH) adds.push(this.redis.sadd(key, ...ids.slice(i, i + BATCH)));
    await Promise.all(adds);
  }

  /** Activity of up to BATCH viewers, in one script call (their hashes are in the stream's slot). */
  activities(streamId: string, ids: readonly string[]): Promise<ViewerActivity[]> {
    return readActivities(this.redis, this.keys, streamId, ids);
  }

  /** Start of the earliest stream of the brand each viewer attended / bought in (null: never, as far as indexed). */
  async firstSeen(brandId: string, ids: readonly string[]): Promise<{ seen: (number | null)[]; bought: (number | null)[] }> {
    if (ids.length === 0) return { seen: [], bought: [] };
    const b = brandSummaryKeys(this.keys, brandId);
    const [seen, bought] = await Promise.all([this.redis.zmscore(b.firstSeen, ...ids), this.redis.zmscore(b.firstBought, ...ids)]);
    const num = (v: string | null) => (v === null ? null : Number(v));
    return { seen: seen.map(num), bought: bought.map(num) };
  }

  /** Records that these viewers attended (and these bought in) a stream of the brand that started at `startMs`; keeps the earliest. */
  async indexViewers(brandId: string, startMs: number, viewers: readonly string[], buyers: readonly string[]): Promise<void> {
    const b = brandSummaryKeys(this.keys, brandId);
    // idempotent (the earliest start wins whatever the order), both indexes sent together
    const adds: Promise<number | string>[] = [];
    for (const [key, ids] of [
      [b.firstSeen, viewers],
      [b.firstBought, buyers],
    ] as const) {
      for (let i = 0; i < ids.length; i += BATCH) {
        const args: (string | number)[] = [];
        for (const id of ids.slice(i, i + BATCH)) args.push(startMs, id);
        adds.push(this.redis.zadd(key, 'LT', ...args));
      }
    }
    await Promise.all(adds);
  }

  async indexedStreams(brandId: string, streamIds: readonly string[]): Promise<boolean[]> {
    if (streamIds.length === 0) return [];
    const res = await this.redis.smismember(brandSummaryKeys(this.keys, brandId).indexed, ...streamIds);
    return res.map((r) => r === 1);
  }

  async markIndexed(brandId: string, streamId: string): Promise<void> {
    await this.redis.sadd(brandSummaryKeys(this.keys, brandId).indexed, streamId);
  }

  /** The ledger's per-minute timeline (`<metric>:<minute>` -> count). */
  async activityTimeline(streamId: string): Promise<Map<string, number>> {
    const h = await this.redis.hgetall(activityKeys(this.keys, streamId).timeline);
    return new Map(Object.entries(h).map(([k, v]) => [k, Number(v)]));
  }

  /** SSCAN / ZSCAN in pages of about SCAN_PAGE; a member may come twice (the callers dedupe with a Set). */
  private async scan(cmd: 'sscan' | 'zscan', key: string, onPage: (ids: string[]) => void): Promise<void> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis[cmd](key, cursor, 'COUNT', SCAN_PAGE);
      cursor = next;
      onPage(cmd === 'zscan' ? flat.filter((_, i) => i % 2 === 0) : flat);
    } while (cursor !== '0');
  }
}
