import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { claims, type ClaimsVariantResult } from '../../bench/claims/index.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';

const SMALL = ['--viewers', '30', '--quantity', '7', '--rounds', '2', '--generators', '2', '--wave', '10', '--quiet-wait', '0'];

describe('claims benchmark', () => {
  it('measures a small claim burst exactly (Q distinct codes, the rest sold_out, every round), next to its ceiling, and leaves no Redis keys', async () => {
    const outcome = await claims.run(SMALL, () => {});
    const { results } = outcome.json as { results: ClaimsVariantResult[] };
    expect(results.map((r) => r.variant)).toEqual(['default']);
    const r = results[0]!;
    expect(r.connected).toMatchObject({ sockets: 30, failed: 0 });
    // a warm-up round and two measured ones
    expect(r.rounds.map((x) => x.round)).toEqual([0, 1, 2]);
    for (const round of r.rounds) {
      expect(round.exact).toBe(true);
      expect(round.distinctCodes).toBe(7);
      expect(round.claims).toMatchObject({ sent: 30, ok: 7, missing: 0, codeCount: 7, errors: { sold_out: 23 }, disconnects: 0 });
      // the ceiling: every claim refused by the schema, none reaching Redis
      expect(round.ceiling).toMatchObject({ sent: 30, ok: 0, missing: 0, errors: { invalid_payload: 30 } });
      // refusals the node answered from its latch of ended drops are some of the sold_out ones
      expect(round.latched).toBeGreaterThanOrEqual(0);
      expect(round.latched).toBeLessThanOrEqual(23);
      expect(round.claims.perSec).toBeGreaterThan(0);
      expect(round.ceiling.perSec).toBeGreaterThan(0);
      expect(round.claims.generatorCpu).toHaveLength(2);
      expect(round.claims.loadAvg1).toBeGreaterThanOrEqual(0);
      // the sell-out's coupon:ended reaches every winner, and no socket a sold_out ack told before it went
      // (docs/protocol.md, coupon:claim): at least one frame per winner, at most one per socket
      expect(round.claims.pushes + round.claims.pushesAfter).toBeGreaterThanOrEqual(7);
      expect(round.claims.pushes + round.claims.pushesAfter).toBeLessThanOrEqual(30);
    }
    // every code handed out is in the global index and the stream's record, and no other code is
    expect(r.indexedCodes).toBe(21);
    expect(r.recordedCodes).toBe(21);
    expect(outcome.table).toContain('claims/ceiling');
    expect(outcome.notes.some((l) => l.startsWith('default: MUST met'))).toBe(true);
    expect(outcome.notes.some((l) => l.includes('GOAL'))).toBe(true);

    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.keys(`${r.redisPrefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 120_000);
});
