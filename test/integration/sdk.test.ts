import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViewerClient, StickyroomError, type StateChange } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('client SDK', () => {
  it('rejects with a typed error carrying the server code', async () => {
    const viewer = await t.viewer('typed');
    const err = await viewer.join('no-such-stream').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StickyroomError);
    expect(err).toMatchObject({ code: 'not_found' });
  });

  it('rejects connect() with unauthorized for a bad token', async () => {
    const c = createViewerClient({ url: t.url, token: 'garbage', transports: ['websocket'] });
    await expect(c.connect()).rejects.toMatchObject({ code: 'unauthorized' });
    c.close();
  });

  it('refuses requests while disconnected instead of queueing them', async () => {
    const viewer = await t.viewer('offline');
    viewer.close();
    await expect(viewer.join('x')).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('rejoins its streams by itself after the connection drops, and keeps receiving pushes', async () => {
    const id = await t.createStream();
    const viewer = await t.viewer('flaky');
    await viewer.join(id);
    const states: StateChange[] = [];
    viewer.on('state', (s) => states.push(s));
    const rejoined = new Promise((resolve) => viewer.on('rejoined', resolve));
    // drop the transport the way a network loss does
    (viewer.socket.io as unknown as { engine: { close(): void } }).engine.close();
    const snapshot = (await rejoined) as { stream: { id: string } };
    expect(snapshot.stream.id).toBe(id);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'connected']);
    const host = await t.streamer('host');
    const live = viewer.once('stream:state', (s) => s.stream.status === 'live');
    await host.start(id);
    await live;
  });

  it('takes a token function and calls it again for each connection', async () => {
    let calls = 0;
    const c = createViewerClient({
      url: t.url,
      transports: ['websocket'],
      heartbeats: false,
      token: async () => {
        calls++;
        return t.token('viewer', 'refreshing');
      },
    });
    await c.connect();
    const back = new Promise((resolve) => c.on('state', (s) => s.state === 'connected' && resolve(s)));
    (c.socket.io as unknown as { engine: { close(): void } }).engine.close();
    await back;
    expect(calls).toBe(2);
    c.close();
  });
});
