import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViewerClient } from '@stickyroom/sdk';
import { TokenService } from '../../core/src/identity/tokens.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../helpers/app.js';

/**
 * A node in the middle of a JWT_SECRET rotation (docs/operations.md): JWT_SECRET is the new secret and
 * JWT_SECRET_PREVIOUS the old one, so sockets and HTTP calls with tokens of either are accepted.
 * The helper's own tokens are signed with TEST_JWT_SECRET: the old secret here.
 */
const NEW_SECRET = 'the-new-secret-of-the-rotation-0123456789';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ JWT_SECRET: NEW_SECRET, JWT_SECRET_PREVIOUS: TEST_JWT_SECRET });
});
afterAll(async () => {
  await t?.close();
});

describe('a node during a JWT_SECRET rotation', () => {
  it('accepts tokens of the previous secret and of the new one, over sockets and HTTP', async () => {
    const streamId = await t.createStream('Rotation', 'brand-a', { start: true });
    // old secret (the helper's)
    const before = await t.viewer('v-old');
    expect((await before.join(streamId)).stream.id).toBe(streamId);
    // new secret
    const fresh = new TokenService(NEW_SECRET);
    const after = createViewerClient({ url: t.url, token: await fresh.sign({ sub: 'v-new', role: 'viewer' }, '1h'), transports: ['websocket'], heartbeats: false });
    await after.connect();
    expect((await after.join(streamId)).stream.id).toBe(streamId);
    after.close();
    const created = await t.http('POST', '/api/streams', { token: await fresh.sign({ sub: 'host-new', role: 'streamer', brandId: 'brand-a' }, '1h'), body: { title: 'New secret' } });
    expect(created.status).toBe(201);
  });

  it('refuses a token of any other secret', async () => {
    const stranger = new TokenService('a-third-secret-nobody-configured-0123');
    const c = createViewerClient({ url: t.url, token: await stranger.sign({ sub: 'v-x', role: 'viewer' }, '1h'), transports: ['websocket'], heartbeats: false, connectAttempts: 1 });
    await expect(c.connect()).rejects.toMatchObject({ code: 'unauthorized', message: 'bad token signature' });
    c.close();
    const res = await t.http('POST', '/api/streams', { token: await stranger.sign({ sub: 'host-x', role: 'streamer', brandId: 'brand-a' }, '1h'), body: { title: 'x' } });
    expect(res.status).toBe(401);
  });
});
