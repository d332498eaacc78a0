import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { waitForRedis, waitForRedisCluster } from '../../core/src/redis/startup.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';

/**
 * The startup checks of core/src/redis/startup.ts, whose reason ends up in the one line a process that cannot
 * start prints (test/chaos/startup-failures.test.ts runs them in real processes).
 */
async function refusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('startup checks', () => {
  it('a single Redis that answers is ready; one that refuses says so', async () => {
    expect(await waitForRedis(TEST_REDIS_URL, 2000)).toEqual({ ok: true });
    const port = await refusedPort();
    expect(await waitForRedis(`redis://127.0.0.1:${port}`, 300)).toEqual({ ok: false, reason: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('Redis Cluster: refused seed nodes are each named, with what they said', async () => {
    const [a, b] = [await refusedPort(), await refusedPort()];
    const out = await waitForRedisCluster([`127.0.0.1:${a}`, `127.0.0.1:${b}`], 300);
    expect(out).toEqual({
      ok: false,
      reason: `127.0.0.1:${a}: refused the connection (connect ECONNREFUSED 127.0.0.1:${a}); 127.0.0.1:${b}: refused the connection (connect ECONNREFUSED 127.0.0.1:${b})`,
    });
  });

  it('Redis Cluster: a seed that is a plain Redis is named as not a cluster node', async () => {
    const { hostname: host, port } = new URL(TEST_REDIS_URL);
    const out = await waitForRedisCluster([`${host}:${port || 6379}`], 300);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.reason).toBe(`${host}:${port || 6379}: not a cluster node (cluster support disabled): use REDIS_URL for a single Redis`);
  });
});
