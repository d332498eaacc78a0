import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { captureLog, RedisCluster } from '../helpers/redis-cluster.js';

/**
 * Every node of the cluster goes away at once, and comes back: as with a single Redis, the server answers
 * `unavailable` (with `retryAfterMs`, `/readyz` 503) meanwhile instead of hanging, and recovers by itself.
 */
let cluster: RedisCluster;
let t: TestApp;
const server = captureLog('server');

beforeAll(async () => {
  cluster = await RedisCluster.start();
  t = await startTestApp({}, { redisCluster: cluster.seeds, log: server.log });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await cluster?.remove();
});

describe('the whole cluster away', () => {
  it('answers unavailable while every node is down and recovers by itself once they are back', async () => {
    const streamId = await t.createStream('Outage', 'brand-a', { start: true });
    const v = await t.joinedViewer(streamId, 'outage-a');
    await v.chat(streamId, 'before');

    await Promise.all(cluster.nodes.map((n) => cluster.kill(n)));
    const refused = await v.chat(streamId, 'during').then(
      () => undefined,
      (err: { code: string; retryAfterMs?: number }) => err,
    );
    expect(refused).toMatchObject({ code: 'unavailable' });
    expect(refused!.retryAfterMs).toBeGreaterThan(0);
    expect((await t.http('GET', '/readyz')).status).toBe(503);

    // the nodes come back with their cluster config (and, without persistence, no data)
    for (const n of cluster.nodes) await cluster.startNode(n);
    await cluster.waitHealthy();
    let created: string | undefined;
    for (let i = 0; i < 100 && !created; i++) {
      created = await t.createStream('After', 'brand-a', { start: true }).catch(() => undefined);
      if (!created) await new Promise((r) => setTimeout(r, 100));
    }
    expect(created).toBeDefined();
    const w = await t.joinedViewer(created!, 'outage-b');
    expect(await w.chat(created!, 'after')).toBeDefined();
    expect(server.redirections()).toEqual([]);
  });
});
