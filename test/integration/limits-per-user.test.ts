import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViewerClient, type StateChange, type ViewerClient } from '@stickyroom/sdk';
import { createApp, type App } from '../../server/src/app.js';
import { createLogger } from '../../core/src/logger.js';
import { productStore } from '../../core/src/products/products.service.js';
import { flush } from '../../core/src/reactions/reactions.service.js';
import { readTotals } from '../../core/src/reactions/reactions.store.js';
import { streamTotals } from '../../core/src/activity/activity.store.js';
import { eventGateKey } from '../../core/src/redis/event-gate.js';
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

describe('EVENT_RATE_LIMIT per user: across sockets on a node, and across nodes where the event runs a script', () => {
  const LIMIT = 10;
  let t: TestApp;
  let second: App;
  let secondUrl: string;
  const opened: Tracked[] = [];
  beforeAll(async () => {
    t = await startTestApp({ EVENT_RATE_LIMIT: String(LIMIT) });
    second = createApp({ config: t.config, clock: t.clock, log: createLogger('silent', 'test') });
    secondUrl = `http://127.0.0.1:${await second.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    for (const o of opened) o.client.close();
    await second.close();
    await t.close();
  });

  it('shares one budget between all sockets of a user on a node', async () => {
    const token = await t.token('viewer', 'many-tabs');
    const tabs = await Promise.all(Array.from({ length: 5 }, () => openViewer(t.url, token)));
    opened.push(...tabs);
    const started = performance.now();
    const answers = await Promise.allSettled(tabs.flatMap((tab) => Array.from({ length: LIMIT }, () => tab.client.points('brand-a'))));
    const seconds = (performance.now() - started) / 1000;
    const accepted = answers.filter((a) => a.status === 'fulfilled').length;
    // per connection, 5 sockets would have had 5 x LIMIT; per user it is LIMIT plus what refilled meanwhile
    expect(accepted).toBeLessThanOrEqual(Math.floor(LIMIT * (1 + seconds)));
    for (const a of answers) if (a.status === 'rejected') expect(a.reason).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    // another user has a budget of their own
    const other = await openViewer(t.url, await t.token('viewer', 'one-tab'));
    opened.push(other);
    await expect(other.client.points('brand-a')).resolves.toBeDefined();
  });

  it("counts a user's product clicks on two nodes against one budget, inside the click's own script", async () => {
    const id = await t.createStream('gated', 'brand-a', { start: true });
    await productStore(t.app.ctx).pin(id, { id: 'p1', title: 'Mug', price: 9, currency: 'EUR' });
    const token = await t.token('viewer', 'two-nodes');
    const onA = await openViewer(t.url, token);
    const onB = await openViewer(secondUrl, token);
    opened.push(onA, onB);
    await Promise.all([onA.client.join(id), onB.client.join(id)]);
    // Each node's own bucket still holds LIMIT - 1 events (the join took one): per node, 2 x (LIMIT - 1)
    // clicks would pass. The script counts them together: LIMIT pass in the second the burst takes.
    const clicks = [onA, onB].flatMap((v) => Array.from({ length: LIMIT }, () => v.client.clickProduct(id, 'p1')));
    const answers = await Promise.allSettled(clicks);
    const accepted = answers.filter((a) => a.status === 'fulfilled').length;
    expect(accepted).toBe(LIMIT);
    const [stats] = await productStore(t.app.ctx).clickStats(id);
    expect(stats).toMatchObject({ productId: 'p1', clicks: LIMIT });
    const gate = eventGateKey(t.app.ctx.keys, id, 'two-nodes');
    expect(await t.app.ctx.redis.pttl(gate)).toBeGreaterThan(0); // the counter expires by itself
  });
});

describe('reactions per viewer per second (REACTION_RATE_LIMIT)', () => {
  const TAPS_PER_SEC = 20;
  let t: TestApp;
  const opened: Tracked[] = [];
  beforeAll(async () => {
    // The setting: the event limit out of the way (8,000 events got through in one second).
    t = await startTestApp({ EVENT_RATE_LIMIT: '1000000', REACTION_RATE_LIMIT: String(TAPS_PER_SEC) });
  });
  afterAll(async () => {
    for (const o of opened) o.client.close();
    await t.close();
  });

  it('bounds the totals and the summary likes of one token flooding reaction:send {count:50} from many sockets', async () => {
    const id = await t.createStream('flooded', 'brand-a', { start: true });
    const token = await t.token('viewer', 'like-bot');
    const tabs = await Promise.all(Array.from({ length: t.config.MAX_CONNECTIONS_PER_USER }, () => openViewer(t.url, token)));
    opened.push(...tabs);
    await Promise.all(tabs.map((tab) => tab.client.join(id)));
    const started = performance.now();
    // 10 sockets x 40 sends x 50 taps = 20,000 taps asked for
    const answers = await Promise.allSettled(tabs.flatMap((tab) => Array.from({ length: 40 }, () => tab.client.react(id, 'like', 50))));
    const seconds = (performance.now() - started) / 1000;
    await flush(t.app.ctx, { drain: true });
    const bound = Math.floor(TAPS_PER_SEC * (1 + seconds));
    const likes = (await readTotals(t.app.ctx.redis, t.app.ctx.keys, id)).like ?? 0;
    expect(likes).toBeGreaterThan(0);
    expect(likes).toBeLessThanOrEqual(bound);
    expect((await streamTotals(t.app.ctx.redis, t.app.ctx.keys, id)).likes).toBe(likes);
    const refused = answers.filter((a) => a.status === 'rejected');
    expect(refused.length).toBeGreaterThan(answers.length / 2);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'rate_limited' });
  });

  it("keeps one viewer's cap from touching another viewer's taps", async () => {
    const id = await t.createStream('fair', 'brand-a', { start: true });
    const bot = await openViewer(t.url, await t.token('viewer', 'bot'));
    const fan = await openViewer(t.url, await t.token('viewer', 'fan'));
    opened.push(bot, fan);
    await Promise.all([bot.client.join(id), fan.client.join(id)]);
    await Promise.allSettled(Array.from({ length: 20 }, () => bot.client.react(id, 'like', 50)));
    await fan.client.react(id, 'heart', 5);
    await flush(t.app.ctx, { drain: true });
    expect((await readTotals(t.app.ctx.redis, t.app.ctx.keys, id)).heart).toBe(5);
  });
});
