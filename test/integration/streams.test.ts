import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { SignJWT } from 'jose';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

function rawConnect(auth: object, extra: Record<string, unknown> = {}) {
  const socket = connect(t.url, { transports: ['websocket'], auth, reconnection: false, forceNew: true, ...extra });
  return new Promise<{ ok: boolean; message: string }>((resolve) => {
    socket.on('connect', () => {
      socket.disconnect();
      resolve({ ok: true, message: '' });
    });
    socket.on('connect_error', (err) => {
      socket.disconnect();
      resolve({ ok: false, message: err.message });
    });
  });
}

describe('identity on the socket handshake', () => {
  it('refuses a connection without a token, with a clear reason', async () => {
    expect(await rawConnect({})).toEqual({ ok: false, message: 'missing token' });
  });
  it('refuses a malformed token', async () => {
    expect(await rawConnect({ token: 'not-a-jwt' })).toEqual({ ok: false, message: 'malformed token' });
  });
  it('refuses a token signed with another secret', async () => {
    const token = await new SignJWT({ role: 'viewer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('some-other-secret-0123456789'));
    expect(await rawConnect({ token })).toEqual({ ok: false, message: 'bad token signature' });
  });
  it('refuses an expired token', async () => {
    const token = await t.tokens.sign({ sub: 'old', role: 'viewer' }, -60);
    expect(await rawConnect({ token })).toEqual({ ok: false, message: 'token expired' });
  });
  it('accepts a valid token', async () => {
    expect(await rawConnect({ token: await t.token('viewer', 'alice') })).toEqual({ ok: true, message: '' });
  });
  it('ends a session when its token expires', async () => {
    const viewer = await t.viewer('brief', { token: await t.token('viewer', 'brief', { expiresIn: 2 }) });
    const ended = await viewer.once('session:ended', () => true, 5000);
    expect(ended.reason).toBe('token_expired');
  });
  it('refuses a browser from an origin that is not allowed', async () => {
    const res = await rawConnect({ token: await t.token('viewer', 'alice') }, { extraHeaders: { origin: 'https://evil.example' } });
    expect(res.ok).toBe(false);
  });
});

describe('streams over HTTP', () => {
  it('creates, reads, starts and ends a stream', async () => {
    const token = await t.token('streamer', 'host', { brandId: 'brand-a' });
    const created = await t.http('POST', '/api/streams', { token, body: { title: '  Spring drop  ' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Spring drop', status: 'scheduled', brandId: 'brand-a' });
    const id = created.body.id;
    expect((await t.http('GET', `/api/streams/${id}`, { token })).body.status).toBe('scheduled');
    expect((await t.http('POST', `/api/streams/${id}/start`, { token })).body.status).toBe('live');
    expect((await t.http('POST', `/api/streams/${id}/end`, { token })).body.status).toBe('ended');
  });
  it('answers 401 without a token and 403 for a viewer creating a stream', async () => {
    const none = await t.http('POST', '/api/streams', { body: { title: 'x' } });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    const viewer = await t.http('POST', '/api/streams', { token: await t.token('viewer', 'v'), body: { title: 'x' } });
    expect(viewer.status).toBe(403);
  });
  it('answers 400 for a bad body and 404 for an unknown stream', async () => {
    const token = await t.token('streamer', 'host');
    expect((await t.http('POST', '/api/streams', { token, body: { title: '' } })).status).toBe(400);
    expect((await t.http('POST', '/api/streams', { token, raw: '{not json' })).body.error.code).toBe('invalid_payload');
    expect((await t.http('GET', '/api/streams/nope', { token })).status).toBe(404);
  });
  it('lets an admin without a brandId claim create a stream of the brand it names, and run it', async () => {
    const admin = await t.token('admin', 'ops');
    const created = await t.http('POST', '/api/streams', { token: admin, body: { title: 'Ops show', brandId: 'brand-c' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Ops show', brandId: 'brand-c', status: 'scheduled', createdBy: 'ops' });
    expect((await t.http('POST', `/api/streams/${created.body.id}/start`, { token: admin })).body.status).toBe('live');
    // brand-c's streamer controls it; brand-a's does not
    expect((await t.http('POST', `/api/streams/${created.body.id}/end`, { token: await t.token('streamer', 'a-host', { brandId: 'brand-a' }) })).status).toBe(403);
    expect((await t.http('POST', `/api/streams/${created.body.id}/end`, { token: await t.token('streamer', 'c-host', { brandId: 'brand-c' }) })).body.status).toBe('ended');
  });
  it('refuses an admin that names no brand with invalid_payload, and a bad brandId like any bad body', async () => {
    const admin = await t.token('admin', 'ops');
    const none = await t.http('POST', '/api/streams', { token: admin, body: { title: 'Whose?' } });
    expect(none.status).toBe(400);
    expect(none.body.error).toEqual({ code: 'invalid_payload', message: 'brandId: an admin names the brand of the stream ({ title, brandId })' });
    expect((await t.http('POST', '/api/streams', { token: admin, body: { title: 'x', brandId: 'no spaces' } })).status).toBe(400);
    expect((await t.http('POST', '/api/streams', { token: admin, body: { title: 'x', brandId: '<script>' } })).body.error.code).toBe('invalid_payload');
    // an admin token that carries a brandId uses it when the body names none
    const branded = await t.http('POST', '/api/streams', { token: await t.token('admin', 'ops-a', { brandId: 'brand-a' }), body: { title: 'Mine' } });
    expect(branded.body).toMatchObject({ brandId: 'brand-a' });
  });
  it('lets a streamer name its own brand in the body but never another (forbidden)', async () => {
    const token = await t.token('streamer', 'host', { brandId: 'brand-a' });
    expect((await t.http('POST', '/api/streams', { token, body: { title: 'Own', brandId: 'brand-a' } })).body).toMatchObject({ brandId: 'brand-a' });
    const other = await t.http('POST', '/api/streams', { token, body: { title: 'Not mine', brandId: 'brand-b' } });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    // moderators and brand tokens do not create streams, whatever they name
    for (const role of ['moderator', 'brand'] as const) {
      expect((await t.http('POST', '/api/streams', { token: await t.token(role, 'x', { brandId: 'brand-a' }), body: { title: 'x', brandId: 'brand-a' } })).status).toBe(403);
    }
  });
  it('does not let a streamer of brand B start brand A\'s stream', async () => {
    const id = await t.createStream('A only', 'brand-a');
    const other = await t.http('POST', `/api/streams/${id}/start`, { token: await t.token('streamer', 'b-host', { brandId: 'brand-b' }) });
    expect(other.status).toBe(403);
  });
});

describe('streams over the socket', () => {
  it('pushes stream:state to the room when the streamer starts and ends', async () => {
    const id = await t.createStream();
    const host = await t.streamer('host');
    const viewer = await t.viewer('v1');
    await viewer.join(id);
    const live = viewer.once('stream:state', (s) => s.stream.status === 'live');
    await host.start(id);
    expect((await live).stream.id).toBe(id);
    const ended = viewer.once('stream:state', (s) => s.stream.status === 'ended');
    await host.end(id);
    await ended;
  });
  it('refuses stream:start from a viewer with forbidden', async () => {
    const id = await t.createStream();
    const viewer = await t.viewer('sneaky');
    await expect(viewer.request('stream:start', { streamId: id })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await t.http('GET', `/api/streams/${id}`, { token: await t.token('viewer', 'x') })).body.status).toBe('scheduled');
  });
  it('answers unknown events and malformed payloads without changing state', async () => {
    const viewer = await t.viewer('fuzzy');
    const raw = viewer.socket as unknown as { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<any> } };
    expect((await raw.timeout(2000).emitWithAck('nope:event', {})).error.code).toBe('unknown_event');
    expect((await raw.timeout(2000).emitWithAck('room:join', 'not an object')).error.code).toBe('invalid_payload');
    expect((await raw.timeout(2000).emitWithAck('room:join', { streamId: 42 })).error.code).toBe('invalid_payload');
    expect((await raw.timeout(2000).emitWithAck('room:join', { streamId: 'x'.repeat(10_000) })).error.code).toBe('invalid_payload');
    expect((await raw.timeout(2000).emitWithAck('room:join')).error.code).toBe('invalid_payload');
    expect((await raw.timeout(2000).emitWithAck('room:join', { streamId: 'missing' })).error.code).toBe('not_found');
  });
});
