import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterResult } from '../../bench/fanout/adapters.js';
import { PrivateRedis } from '../helpers/redis-server.js';

const SMALL = ['--nodes', '2', '--rooms', '4', '--room-viewers', '3', '--room-rate', '4', '--tick-ms', '0', '--warmup', '1', '--window', '2', '--rounds', '1', '--quiet-wait', '0'];

/**
 * On a redis-server of its own: the join storm's SSUBSCRIBEs are read from Redis's command counts, to which
 * the servers of other test files running at the same time on a shared Redis would add theirs.
 */
let redis: PrivateRedis | undefined;
const sharedUrl = process.env.REDIS_URL;
beforeAll(async () => {
  redis = await PrivateRedis.start();
  process.env.REDIS_URL = redis.url;
});
afterAll(async () => {
  if (sharedUrl === undefined) delete process.env.REDIS_URL;
  else process.env.REDIS_URL = sharedUrl;
  await redis?.remove();
});

describe('fan-out benchmark, adapter comparison', () => {
  it('measures classic and sharded over two nodes in both layouts; a node hears less with the sharded adapter when rooms are confined', async () => {
    // imported once REDIS_URL names the private server (the bench reads it when loaded)
    const { fanout } = await import('../../bench/fanout/index.js');
    const outcome = await fanout.run(SMALL, () => {});
    const { results } = outcome.json as { results: AdapterResult[] };
    expect(results.map((r) => `${r.adapter}/${r.layout}`)).toEqual(['classic/confined', 'sharded/confined', 'classic/spanning', 'sharded/spanning']);
    for (const r of results) {
      expect(r.ackErrors).toEqual({});
      expect(r.sentPerSec).toBeGreaterThan(0);
      expect(r.inbound).toHaveLength(2);
    }
    const [classic, sharded] = results;
    // confined: each node is subscribed to its own rooms only
    for (const i of [0, 1]) expect(sharded!.inbound[i]!.messagesPerSent).toBeLessThan(classic!.inbound[i]!.messagesPerSent);
    // every socket's own room and each room's channel cost an SSUBSCRIBE with the sharded adapter, none with the classic one
    expect(classic!.joinStorm.ssubscribes).toBe(0);
    expect(sharded!.joinStorm.ssubscribes).toBeGreaterThanOrEqual(4 * 4);
    expect(outcome.notes.some((l) => l.startsWith('confined: sharded/classic'))).toBe(true);
  }, 180_000);
});
