import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { join, type JoinVariantResult } from '../../bench/join/index.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';

const SMALL = ['--viewers', '30', '--history', '5', '--drops', '2', '--rounds', '1', '--generators', '2', '--wave', '10', '--quiet-wait', '0'];

describe('join benchmark', () => {
  it('has every socket join at a small size with history, pins, quiz, lottery and drops in the acks, next to its ceiling, and leaves no Redis keys', async () => {
    const outcome = await join.run(SMALL, () => {});
    const { results } = outcome.json as { results: JoinVariantResult[] };
    const r = results[0]!;
    expect(r.connected).toMatchObject({ sockets: 30, failed: 0 });
    expect(r.rounds.map((x) => x.round)).toEqual([0, 1]);
    for (const round of r.rounds) {
      expect(round.lacking).toEqual({});
      expect(round.complete).toBe(true);
      expect(round.joins).toMatchObject({ sent: 30, ok: 30, missing: 0, errors: {}, disconnects: 0 });
      expect(round.ceiling).toMatchObject({ sent: 30, ok: 0, missing: 0, errors: { invalid_payload: 30 } });
      // the join acks carry the snapshot, the refusals only an error
      expect(round.joins.ackBytes / 30).toBeGreaterThan(1000);
      expect(round.ceiling.ackBytes / 30).toBeLessThan(300);
      expect(round.joins.generatorCpu).toHaveLength(2);
    }
    expect(outcome.table).toContain('joins/ceiling');
    expect(outcome.notes.some((l) => l.startsWith('default: MUST met'))).toBe(true);

    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.keys(`${r.redisPrefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
