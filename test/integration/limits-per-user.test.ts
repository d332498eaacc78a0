import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViewerClient, type StateChange, type ViewerClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';

// Issue 7, item 4: limits hold per viewer, not per socket. One token once held 1,500 sockets and, from
// 200 of them, put 402,800 likes into a stream's totals in one second.

interface Tracked {
  client: ViewerClient;
  states: StateChange[];
  ended: string[];
}

async function openViewer(url: string, token: string): Promise<Tracked> {
  const client = createViewerClient({ url, token, transports: ['websocket'], heartbeats: false });
  const tracked: Tracked = { client, states: [], ended: [] };
  client.on('state', (s) => tracked.states.push(s));
  client.on('session:ended', (e) => tracked.ended.push(e.reason));
  await client.connect();
  return tracked;
}

function socketsOf(t: TestApp, userId: string): number {
  let n = 0;
  for (const s of t.app.io.of('/').sockets.values()) if (s.data.user?.id === userId) n++;
  return n;
}

describe('connections per user (MAX_CONNECTIONS_PER_USER, per node)', () => {
  let t: TestApp;
  const opened: Tracked[] = [];
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    for (const o of opened) o.client.close();
    await t.close();
  });

  it('closes the oldest socket with too_many_connections, and the SDK does not reconnect it', async () => {
    const cap = t.config.MAX_CONNECTIONS_PER_USER;
    expect(cap).toBe(10);
    const token = await t.token('viewer', 'tab-hoarder');
    const tabs: Tracked[] = [];
    for (let i = 0; i < cap + 2; i++) {
      const tab = await openViewer(t.url, token);
      opened.push(tab);
      tabs.push(tab);
    }
    await expect.poll(() => tabs[1]!.client.state).toBe('disconnected');
    for (const old of tabs.slice(0, 2)) {
      expect(old.ended).toEqual(['too_many_connections']);
      expect(old.states.at(-1)).toMatchObject({ state: 'disconnected', reason: 'too_many_connections' });
      expect(old.client.socket.active).toBe(false); // socket.io-client will not reconnect it either
    }
    for (const kept of tabs.slice(2)) expect(kept.client.state).toBe('connected');
    expect(socketsOf(t, 'tab-hoarder')).toBe(cap);
    // the newest socket is the one in use: it still serves
    await expect(tabs.at(-1)!.client.points('brand-a')).resolves.toMatchObject({ brandId: 'brand-a' });
  });

  it('keeps at most the cap of 1,500 sockets of one token open; every evicted one was told why', async () => {
    const cap = t.config.MAX_CONNECTIONS_PER_USER;
    const token = await t.token('viewer', 'socket-flood');
    const flood: Tracked[] = [];
    for (let batch = 0; batch < 15; batch++) {
      const tabs = await Promise.all(Array.from({ length: 100 }, () => openViewer(t.url, token)));
      opened.push(...tabs);
      flood.push(...tabs);
    }
    expect(flood).toHaveLength(1500);
    await expect.poll(() => flood.filter((f) => f.client.state === 'connected').length, { timeout: 20_000 }).toBe(cap);
    expect(socketsOf(t, 'socket-flood')).toBe(cap);
    const evicted = flood.filter((f) => f.client.state !== 'connected');
    expect(evicted).toHaveLength(1500 - cap);
    for (const e of evicted) {
      expect(e.ended).toEqual(['too_many_connections']);
      expect(e.client.socket.active).toBe(false);
    }
    // other users are not affected
    const other = await openViewer(t.url, await t.token('viewer', 'bystander'));
    opened.push(other);
    await expect(other.client.points('brand-a')).resolves.toBeDefined();
  }, 60_000);
});
