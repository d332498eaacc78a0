import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { measureRollup } from '../../bench/rollup/index.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';

describe('rollup benchmark', () => {
  it('rolls every viewer up once with the previous rollup and with the current one, to the same keys and content, and leaves no Redis keys', async () => {
    const { rows, prefix } = await measureRollup({ viewers: 300, batches: [50], rounds: 1 }, () => {});
    expect(rows.map((r) => r.impl)).toEqual(['before', 'after']);
    for (const r of rows) {
      expect(r).toMatchObject({ batch: 50, viewers: 300 });
      expect(r.perSec).toBeGreaterThan(0);
    }
    // same ratings, histories, boards, cursors and watch points, whichever rollup ran
    expect(rows[0]!.digest).toBe(rows[1]!.digest);

    expect(prefix).toMatch(/^bench:/);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
