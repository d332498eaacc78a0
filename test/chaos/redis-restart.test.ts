import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StickyroomError } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { PrivateRedis } from '../helpers/redis-server.js';

let redis: PrivateRedis;
let t: TestApp;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  t = await startTestApp({ REDIS_URL: redis.url }, { redisUrl: redis.url });
}, 30_000);
afterAll(async () => {
  await t?.close();
  await redis?.stop();
});

describe('a Redis restart', () => {
  it('makes the server answer unavailable while Redis is down and recover by itself', async () => {
    const id = await t.createStream();
    const viewer = await t.viewer('steady');
    await viewer.join(id);

    await redis.stop();
    const err = (await viewer.join(id).catch((e: unknown) => e)) as StickyroomError;
    expect(err).toBeInstanceOf(StickyroomError);
    expect(err.code).toBe('unavailable');
    expect(err.retryAfterMs).toBeGreaterThan(0);
    const ready = await t.http('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
    expect((await t.http('GET', '/healthz')).status).toBe(200);
    // HTTP routes too: 503 unavailable, with retryAfterMs and Retry-After (not 500 internal)
    const read = await t.http('GET', `/api/streams/${id}`, { token: await t.token('viewer', 'steady') });
    expect(read.status).toBe(503);
    expect(read.body.error).toMatchObject({ code: 'unavailable', retryAfterMs: 1000 });
    expect(read.headers.get('retry-after')).toBe('1');

    await redis.start();
    // the data went with the old process (it kept nothing on disk): a new stream proves the service is back
    await expect.poll(async () => (await t.http('GET', '/readyz')).status, { timeout: 10_000, interval: 200 }).toBe(200);
    const again = await t.createStream('after the restart');
    expect((await viewer.join(again)).stream.id).toBe(again);
  }, 30_000);
});
