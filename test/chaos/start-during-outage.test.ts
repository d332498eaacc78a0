import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { freePort, PrivateRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/redis.js';

const apps: TestApp[] = [];
let redis: PrivateRedis | undefined;
afterAll(async () => {
  for (const t of apps) await t.close();
  await redis?.remove();
});

describe('two server nodes started while Redis is down', () => {
  it('hear each other once Redis answers (their subscriptions are asked for again)', async () => {
    redis = new PrivateRedis(await freePort()); // not started yet
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: uniquePrefix('late') };
    const a = await startTestApp(env, { redisUrl: redis.url });
    apps.push(a);
    const b = await startTestApp(env, { redisUrl: redis.url });
    apps.push(b);
    // Both answer unavailable: their clients gave up on the commands queued so far, the adapter's
    // subscriptions (asked for at start, on the same schedule) among them.
    for (const t of [a, b]) {
      const token = await t.token('viewer', 'early');
      await expect.poll(async () => (await t.http('GET', '/api/streams/nope', { token })).body?.error?.code, { timeout: 10_000, interval: 100 }).toBe('unavailable');
    }

    await redis.start();
    for (const t of [a, b]) await expect.poll(async () => (await t.http('GET', '/readyz')).status, { timeout: 10_000, interval: 100 }).toBe(200);
    const id = await a.createStream('late start', 'brand-a', { start: true });
    const onA = await a.joinedViewer(id, 'on-a');
    const onB = await b.joinedViewer(id, 'on-b');

    const atB = onB.once('chat:message', (m) => m.text === 'from a');
    await onA.chat(id, 'from a');
    expect((await atB).name).toBe('on-a');
    const atA = onA.once('chat:message', (m) => m.text === 'from b');
    await onB.chat(id, 'from b');
    expect((await atA).name).toBe('on-b');
  }, 60_000);
});
