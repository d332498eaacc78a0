import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { measureSummary } from '../../bench/summary/index.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';

describe('live summary benchmark', () => {
  it('answers every request in both modes, finalizes (alongside the end rollup, as the worker runs them) to the exact recompute with every viewer and message counted, and leaves no Redis keys', async () => {
    const r = await measureSummary({ viewers: 300, clients: 2, rate: 2, seconds: 2, writes: 20, modes: ['recompute', 'cached'], rounds: 1, end: 'worker', idleSeconds: 1 }, () => {});
    expect(r.results.map((m) => m.mode)).toEqual(['recompute', 'cached']);
    for (const m of r.results) {
      expect(m).toMatchObject({ requests: 8, errors: 0 });
      expect(m.p99Ms).toBeGreaterThanOrEqual(m.p50Ms);
      expect(Number.isFinite(m.staleMaxMs)).toBe(true);
      expect(m.loopMaxMs).toBeGreaterThanOrEqual(0);
      expect(m.loopCpu).toBeGreaterThanOrEqual(0);
    }
    expect(r.finalize.exact).toBe(true);
    expect(r.finalize.finalizeSeconds).toBeGreaterThan(0);
    // 300 seeded viewers plus the writer's new joins; the seed's chat plus the writer's
    expect(r.finalize.uniqueViewers).toBe(r.finalize.expectedViewers);
    expect(r.finalize.uniqueViewers).toBeGreaterThan(300);
    expect(r.finalize.chatMessages).toBe(r.finalize.expectedChat);

    expect(r.prefix).toMatch(/^bench:/);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.keys(`${r.prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 180_000);
});
