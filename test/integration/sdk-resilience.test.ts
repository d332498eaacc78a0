import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViewerClient, PROTOCOL_VERSION, StickyroomError, type ChatMessage, type StateChange, type ViewerClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  // Each message leaves alone (`chat:message`), so a test can lose or hold back exactly one; a host sends
  // more than the per-second event cap in one test.
  t = await startTestApp({ CHAT_TICK_MS: '0', EVENT_RATE_LIMIT: '1000' });
});
afterAll(async () => {
  await t.close();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Loses the chat messages whose text `lose` picks, as pub/sub or a dying connection would. */
function loseMessages(c: ViewerClient, lose: (text: string) => boolean): void {
  const socket = c.socket as unknown as { onevent(packet: { data: unknown[] }): void };
  const deliver = socket.onevent.bind(socket);
  socket.onevent = (packet) => {
    const [event, payload] = packet.data as [string, ChatMessage];
    if (event === 'chat:message' && lose(payload.text)) return;
    deliver(packet);
  };
}

function texts(c: ViewerClient): string[] {
  const got: string[] = [];
  c.on('chat:message', (m) => void got.push(m.text));
  return got;
}

describe('SDK: connect() never hangs', () => {
  it('rejects with unavailable when nothing listens, after its attempts', async () => {
    const c = createViewerClient({ url: `http://127.0.0.1:${await closedPort()}`, token: 'x', transports: ['websocket'], reconnect: { minDelayMs: 10, maxDelayMs: 20 } });
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StickyroomError);
    expect(err).toMatchObject({ code: 'unavailable', message: expect.stringContaining('after 3 attempts') });
    expect(c.state).toBe('disconnected');
  });

  it('rejects with unavailable once connectTimeoutMs has passed, however many attempts are left', async () => {
    const c = createViewerClient({ url: `http://127.0.0.1:${await closedPort()}`, token: 'x', transports: ['websocket'], connectAttempts: 1_000_000, connectTimeoutMs: 300, reconnect: { minDelayMs: 10, maxDelayMs: 20 } });
    await expect(c.connect()).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('within 300 ms') });
    expect(c.state).toBe('disconnected');
  });

  it("rejects a refused token with the server's reason, and does not retry", async () => {
    const states: StateChange[] = [];
    const c = createViewerClient({ url: t.url, token: await t.token('viewer', 'long-lived', { expiresIn: '48h' }), transports: ['websocket'] });
    c.on('state', (s) => void states.push(s));
    await expect(c.connect()).rejects.toMatchObject({ code: 'unauthorized', message: 'token lifetime 48h exceeds JWT_MAX_TTL 24h' });
    expect(c.state).toBe('disconnected');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'disconnected']);
  });
});

describe('SDK: protocol version', () => {
  it('refuses a protocol the server does not speak, naming both versions', async () => {
    const token = await t.token('viewer', 'from-the-future');
    const c = createViewerClient({ url: t.url, token, transports: ['websocket'], socketOptions: { auth: { token, protocol: PROTOCOL_VERSION + 1 } } });
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unsupported_protocol' });
    expect((err as Error).message).toBe(`client protocol ${PROTOCOL_VERSION + 1} is not supported: this server speaks protocol 1 to ${PROTOCOL_VERSION}`);
    expect(c.state).toBe('disconnected');
  });

  it('takes a handshake without a version as version 1 (older clients)', async () => {
    const token = await t.token('viewer', 'old-client');
    const c = createViewerClient({ url: t.url, token, transports: ['websocket'], socketOptions: { auth: { token } } });
    await c.connect();
    expect(c.state).toBe('connected');
    c.close();
  });
});

describe('SDK: chat resumes in order', () => {
  it('a viewer who joined an empty chat and lost every message before a reconnect gets them all, not only the newest few', async () => {
    const id = await t.createStream();
    const host = await t.streamer('host-empty');
    await host.join(id);
    const viewer = await t.joinedViewer(id, 'empty-joiner', { gapFetchMs: 60_000, reconnect: { minDelayMs: 10, maxDelayMs: 20 } });
    const got = texts(viewer);
    // a node that dies with the messages still in its buffers: none of the 60 reaches the viewer
    loseMessages(viewer, () => true);
    for (let i = 1; i <= 60; i++) await host.chat(id, `m${i}`);
    const rejoined = new Promise((resolve) => viewer.on('rejoined', resolve));
    (viewer.socket.io as unknown as { engine: { close(): void } }).engine.close();
    await rejoined;
    expect(got).toEqual(Array.from({ length: 60 }, (_, i) => `m${i + 1}`));
  });

  it('a message overtaken by a later one and lost in a disconnect arrives after the reconnect', async () => {
    const id = await t.createStream();
    const host = await t.streamer('host-order');
    await host.join(id);
    const viewer = await t.joinedViewer(id, 'resumer', { gapFetchMs: 60_000, reconnect: { minDelayMs: 10, maxDelayMs: 20 } });
    const got = texts(viewer);
    loseMessages(viewer, (text) => text === 'two');
    for (const text of ['one', 'two', 'three']) await host.chat(id, text);
    await expect.poll(() => got).toEqual(['one', 'three']);
    const rejoined = new Promise((resolve) => viewer.on('rejoined', resolve));
    (viewer.socket.io as unknown as { engine: { close(): void } }).engine.close();
    await rejoined;
    expect(got).toEqual(['one', 'three', 'two']);
  });

  it('a message lost while connected is fetched, without a reconnect', async () => {
    const id = await t.createStream();
    const host = await t.streamer('host-gap');
    await host.join(id);
    const viewer = await t.joinedViewer(id, 'gap-filler', { gapFetchMs: 50 });
    const states: StateChange[] = [];
    viewer.on('state', (s) => void states.push(s));
    const got = texts(viewer);
    loseMessages(viewer, (text) => text === 'lost');
    for (const text of ['before', 'lost', 'after']) await host.chat(id, text);
    await expect.poll(() => got).toEqual(['before', 'after', 'lost']);
    await host.chat(id, 'later');
    await expect.poll(() => got).toEqual(['before', 'after', 'lost', 'later']);
    expect(states).toEqual([]);
  });
});

describe('SDK: token refresh', () => {
  it('a session outlives its token: the token function is called before expiry and the session moves on', async () => {
    const issued: number[] = [];
    const c = createViewerClient({
      url: t.url,
      transports: ['websocket'],
      heartbeats: false,
      token: async () => {
        issued.push(Date.now());
        return t.token('viewer', 'short-lived', { expiresIn: 3 });
      },
    });
    const states: StateChange[] = [];
    const ended: unknown[] = [];
    c.on('session:ended', (e) => void ended.push(e));
    await c.connect();
    c.on('state', (s) => void states.push(s));
    const firstExpiry = Math.floor(issued[0]! / 1000) * 1000 + 3000;
    const refreshed: number[] = [];
    const twice = new Promise<void>((resolve) =>
      c.on('tokenRefreshed', ({ expiresAt }) => {
        refreshed.push(expiresAt);
        if (refreshed.length === 2) resolve();
      }),
    );
    await twice;
    // the second refresh comes after the first token's expiry: the session lived past it
    expect(Date.now()).toBeGreaterThan(firstExpiry);
    expect(refreshed[1]!).toBeGreaterThan(refreshed[0]!);
    expect(ended).toEqual([]);
    expect(states).toEqual([]);
    const id = await t.createStream();
    await expect(c.join(id)).resolves.toMatchObject({ stream: { id } });
    c.close();
  });

  it('a session the server ends at expiry (no fresh token offered in time) comes back by itself, with backoff', async () => {
    const id = await t.createStream();
    // A token cache that hands out the same token until it has expired: the refresh finds nothing newer.
    let cached: { token: string; exp: number } | undefined;
    const c = createViewerClient({
      url: t.url,
      transports: ['websocket'],
      heartbeats: false,
      reconnect: { minDelayMs: 10, maxDelayMs: 20 },
      token: async () => {
        if (!cached || Date.now() >= cached.exp) {
          const token = await t.token('viewer', 'cached-token', { expiresIn: 2 });
          cached = { token, exp: Number(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp) * 1000 };
        }
        return cached.token;
      },
    });
    await c.connect();
    await c.join(id);
    const states: StateChange[] = [];
    c.on('state', (s) => void states.push(s));
    const ended = c.once('session:ended', () => true, 10_000);
    const rejoined = new Promise((resolve) => c.on('rejoined', resolve));
    await expect(ended).resolves.toEqual({ reason: 'token_expired' });
    await rejoined;
    expect(states.map((s) => [s.state, s.reason])).toEqual([
      ['connecting', 'token_expired'],
      ['connected', undefined],
    ]);
    c.close();
  });

  it("refuses another user's token", async () => {
    const viewer = await t.viewer('refresh-self');
    const other = await t.token('viewer', 'refresh-other');
    await expect(viewer.request('session:refresh', { token: other })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(viewer.request('session:refresh', { token: 'garbage' })).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

describe('SDK: listener errors', () => {
  it("reach the client's error event, and the other listeners still get the push", async () => {
    const id = await t.createStream();
    const host = await t.streamer('host-errors');
    await host.join(id);
    const viewer = await t.joinedViewer(id, 'clumsy');
    const errors: { error: unknown; event: string }[] = [];
    viewer.on('error', (e) => void errors.push(e));
    viewer.on('chat:message', () => {
      throw new Error('render failed');
    });
    const got = texts(viewer);
    await host.chat(id, 'hello');
    await expect.poll(() => got).toEqual(['hello']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ event: 'chat:message', error: { message: 'render failed' } });
  });
});
