import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { fanout } from '../../bench/fanout/index.js';
import type { TargetResult } from '../../bench/fanout/measure.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';

// a sample of 5 decoding viewers: the other 15 count frames and messages without decoding
const SMALL = ['--viewers', '20', '--sample', '5', '--senders', '2', '--rate', '4', '--warmup', '1', '--window', '2', '--drain', '1', '--wave', '10', '--quiet-wait', '0'];

describe('fan-out benchmark', () => {
  it('delivers every chat message to every viewer of both servers at a small load, measures both, and leaves no Redis keys', async () => {
    const outcome = await fanout.run(SMALL, () => {});
    const { results } = outcome.json as { results: TargetResult[] };
    expect(results.map((r) => r.name)).toEqual(['baseline', 'stickyroom']);
    for (const r of results) {
      expect(r.connections).toMatchObject({ viewers: 20, decoded: 5, senders: 2, failed: 0 });
      expect(r.sent.ackErrors).toEqual({});
      expect(r.sent.ackOk).toBeGreaterThan(0);
      // Exactly once: every (message, viewer) pair of the window arrived at the sample, none twice; and every
      // message sent reached every viewer, decoding or counting, once
      expect(r.deliveries.completeness).toBe(1);
      expect(r.sent.total).toBeGreaterThan(0);
      expect(r.deliveries.total).toBe(r.sent.total * 20);
      expect(r.disconnects).toBe(0);
      expect(r.latencyMs.p99).toBeLessThan(2000);
      expect(r.server.heapAfterGc).toBe(true);
      expect(r.server.heapIdle).toBeGreaterThan(0);
      expect(r.server.cpu).toBeGreaterThanOrEqual(0);
    }
    expect(outcome.table).toContain('stickyroom/baseline');
    expect(outcome.notes.some((l) => l.startsWith('MUST '))).toBe(true);

    const prefix = results[1]!.redisPrefix!;
    expect(prefix).toMatch(/^bench:/);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
