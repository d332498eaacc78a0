import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViewerClient, type ViewerClient } from '@stickyroom/sdk';
import { productStore } from '../../core/src/products/products.service.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { PrivateRedis } from '../helpers/redis-server.js';

// Issue 7, item 4: the per-user limits must not break while Redis is away. The connection cap lives in
// each node's memory, so a connect during an outage works (and still closes the oldest over the cap).
let redis: PrivateRedis;
let t: TestApp;
const clients: ViewerClient[] = [];

beforeAll(async () => {
  redis = await PrivateRedis.start();
  t = await startTestApp({ REDIS_URL: redis.url }, { redisUrl: redis.url });
}, 30_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
  await redis?.stop();
});

describe('per-user limits during a Redis outage', () => {
  it('connects, evicts the oldest over the cap, and answers gated events unavailable', async () => {
    const id = await t.createStream('outage', 'brand-a', { start: true });
    await productStore(t.app.ctx).pin(id, { id: 'p1', title: 'Mug', price: 9, currency: 'EUR' });
    const token = await t.token('viewer', 'outage-viewer');
    const first = createViewerClient({ url: t.url, token, transports: ['websocket'], heartbeats: false });
    clients.push(first);
    await first.connect();
    await first.join(id);
    const keeper = createViewerClient({ url: t.url, token, transports: ['websocket'], heartbeats: false });
    clients.push(keeper);
    await keeper.connect();
    await keeper.join(id);

    await redis.stop();
    const ended: string[] = [];
    first.on('session:ended', (e) => ended.push(e.reason));
    const more: ViewerClient[] = [];
    for (let i = 0; i < t.config.MAX_CONNECTIONS_PER_USER - 1; i++) {
      const c = createViewerClient({ url: t.url, token, transports: ['websocket'], heartbeats: false });
      clients.push(c);
      more.push(await c.connect());
    }
    await expect.poll(() => first.state).toBe('disconnected');
    expect(ended).toEqual(['too_many_connections']);
    expect([keeper, ...more].every((c) => c.state === 'connected')).toBe(true);

    // storage is away: a scripted (gated) event and a join answer unavailable with a retry hint
    await expect(keeper.clickProduct(id, 'p1')).rejects.toMatchObject({ code: 'unavailable', retryAfterMs: expect.any(Number) });
    await expect(more[0]!.join(id)).rejects.toMatchObject({ code: 'unavailable', retryAfterMs: expect.any(Number) });
    expect((await t.http('GET', '/healthz')).status).toBe(200);

    await redis.start();
    await expect.poll(async () => (await t.http('GET', '/readyz')).status, { timeout: 10_000, interval: 200 }).toBe(200);
    const again = await t.createStream('after the outage', 'brand-a', { start: true });
    await productStore(t.app.ctx).pin(again, { id: 'p1', title: 'Mug', price: 9, currency: 'EUR' });
    await more[0]!.join(again);
    await expect(more[0]!.clickProduct(again, 'p1')).resolves.toEqual({});
  }, 30_000);
});
