import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../server/src/app.js';
import { createLogger } from '../../core/src/logger.js';
import { loadConfig } from '../../core/src/config.js';
import { createViewerClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { streamTotals, viewerActivity } from '../../core/src/activity/activity.store.js';
import { readTotals } from '../../core/src/reactions/reactions.store.js';

const CAP = 25;
let t: TestApp;
beforeAll(async () => {
  // Coalescing and scoring are under test here, not the per-viewer tap cap (limits-per-user.test.ts): lift it.
  t = await startTestApp({ REACTION_FLUSH_MS: '100', REACTION_SCORE_CAP: String(CAP), REACTION_RATE_LIMIT: '1000' });
});
afterAll(async () => {
  await t.close();
});

const totals = (id: string) => readTotals(t.app.ctx.redis, t.app.ctx.keys, id);

describe('reactions', () => {
  it('coalesces many sends into a few totals pushes and caps what one viewer scores', async () => {
    const id = await t.createStream('likes', 'brand-a', { start: true });
    const tapper = await t.viewer('tapper');
    await tapper.join(id);
    const watcher = await t.viewer('watcher');
    await watcher.join(id);
    const pushes: Record<string, number>[] = [];
    watcher.on('reaction:totals', (e) => {
      if (e.streamId === id) pushes.push(e.totals);
    });
    const all = watcher.once('reaction:totals', (e) => e.streamId === id && e.totals.like === 30 && e.totals.fire === 10);
    const sends = [];
    for (let i = 0; i < 30; i++) sends.push(tapper.react(id, 'like'));
    sends.push(tapper.react(id, 'fire', 10));
    await Promise.all(sends);
    await all;
    expect(pushes.length).toBeLessThan(10);
    expect(await totals(id)).toEqual({ like: 30, fire: 10 });
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, id, 'tapper')).likes).toBe(CAP);
    expect((await streamTotals(t.app.ctx.redis, t.app.ctx.keys, id)).likes).toBe(40);
  });

  it('gives the running totals in the join ack', async () => {
    const id = await t.createStream('join totals', 'brand-a', { start: true });
    const fan = await t.viewer('fan');
    expect((await fan.join(id)).reactions).toEqual({});
    const pushed = fan.once('reaction:totals', (e) => e.streamId === id && e.totals.heart === 3);
    await fan.react(id, 'heart', 3);
    await pushed;
    const late = await t.viewer('late-fan');
    expect((await late.join(id)).reactions).toEqual({ heart: 3 });
  });

  it('refuses reactions in a scheduled stream with not_live', async () => {
    const id = await t.createStream('not yet');
    const early = await t.viewer('early-liker');
    await early.join(id);
    await expect(early.react(id, 'like')).rejects.toMatchObject({ code: 'not_live' });
  });

  it('refuses reactions from a socket that has not joined the stream', async () => {
    const id = await t.createStream('strangers', 'brand-a', { start: true });
    const stranger = await t.viewer('stranger');
    await expect(stranger.react(id, 'like')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('answers bad payloads with invalid_payload and counts nothing', async () => {
    const id = await t.createStream('bad reactions', 'brand-a', { start: true });
    const v = await t.viewer('fuzzy-liker');
    await v.join(id);
    const raw = v.socket as unknown as { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<any> } };
    const bad = [
      { streamId: id, kind: 'poop' },
      { streamId: id, kind: 'like', count: 0 },
      { streamId: id, kind: 'like', count: 51 },
      { streamId: id, kind: 'like', count: 1.5 },
      { streamId: id, kind: 'like', extra: true },
      { kind: 'like' },
      'like',
    ];
    for (const p of bad) expect((await raw.timeout(2000).emitWithAck('reaction:send', p)).error.code).toBe('invalid_payload');
    // a valid send afterwards is the barrier: its push shows exactly its own count
    const pushed = v.once('reaction:totals', (e) => e.streamId === id);
    await v.react(id, 'clap');
    expect((await pushed).totals).toEqual({ clap: 1 });
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, id, 'fuzzy-liker')).likes).toBe(1);
  });

  it('shows staff reactions in the totals without scoring them', async () => {
    const id = await t.createStream('staff likes', 'brand-a', { start: true });
    const host = await t.streamer('host-likes');
    await host.join(id);
    const pushed = host.once('reaction:totals', (e) => e.streamId === id && e.totals.like === 2);
    await host.request('reaction:send', { streamId: id, kind: 'like', count: 2 });
    await pushed;
    expect(await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, id, 'host-likes')).toEqual({});
  });
});

describe('reactions across server nodes', () => {
  let second: App;
  let secondUrl: string;
  beforeAll(async () => {
    second = createApp({ config: t.config, clock: t.clock, log: createLogger('silent', 'test') });
    secondUrl = `http://127.0.0.1:${await second.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await second.close();
  });

  it('adds up reactions sent to two nodes and pushes the sum to viewers on both', async () => {
    const id = await t.createStream('two nodes', 'brand-a', { start: true });
    const onA = await t.viewer('node-a');
    await onA.join(id);
    const onB = await createViewerClient({ url: secondUrl, token: await t.token('viewer', 'node-b'), transports: ['websocket'], heartbeats: false }).connect();
    try {
      await onB.join(id);
      const sumOnA = onA.once('reaction:totals', (e) => e.streamId === id && e.totals.like === 25);
      const sumOnB = onB.once('reaction:totals', (e) => e.streamId === id && e.totals.like === 25);
      await Promise.all([onA.react(id, 'like', 10), onB.react(id, 'like', 15)]);
      await Promise.all([sumOnA, sumOnB]);
    } finally {
      onB.close();
    }
  });

  it('pushes totals at most once per flush interval even with two nodes flushing', async () => {
    const id = await t.createStream('paced', 'brand-a', { start: true });
    const watcher = await t.viewer('pace-watcher');
    await watcher.join(id);
    let pushes = 0;
    watcher.on('reaction:totals', (e) => {
      if (e.streamId === id) pushes++;
    });
    const tappers = [];
    for (let i = 0; i < 4; i++) {
      const url = i % 2 === 0 ? t.url : secondUrl;
      const c = await createViewerClient({ url, token: await t.token('viewer', `pacer-${i}`), transports: ['websocket'], heartbeats: false }).connect();
      await c.join(id);
      tappers.push(c);
    }
    const done = watcher.once('reaction:totals', (e) => e.streamId === id && e.totals.like === 4 * 30, 15_000);
    const started = performance.now();
    try {
      // taps spread over about a second and a half, on both nodes at once
      for (let round = 0; round < 30; round++) {
        await Promise.all(tappers.map((c) => c.react(id, 'like')));
        await new Promise((r) => setTimeout(r, 50));
      }
      await done;
    } finally {
      for (const c of tappers) c.close();
    }
    const elapsed = performance.now() - started;
    // Both nodes flush every 100 ms (REACTION_FLUSH_MS); one push per interval between them, not one each.
    // Arrival gaps are no measure: a push from the other node travels through Redis pub/sub.
    expect(pushes).toBeGreaterThan(3);
    expect(pushes).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
  });

  it('flushes what a node holds when it shuts down', async () => {
    const id = await t.createStream('shutdown', 'brand-a', { start: true });
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', REDIS_URL: t.config.REDIS_URL, REDIS_PREFIX: t.prefix, JWT_SECRET: t.config.JWT_SECRET, REACTION_FLUSH_MS: '600000', LOG_LEVEL: 'silent' });
    const slow = createApp({ config, clock: t.clock, log: createLogger('silent', 'test') });
    const url = `http://127.0.0.1:${await slow.listen(0, '127.0.0.1')}`;
    const v = await createViewerClient({ url, token: await t.token('viewer', 'last-liker'), transports: ['websocket'], heartbeats: false }).connect();
    await v.join(id);
    await v.react(id, 'wow', 7);
    expect(await totals(id)).toEqual({});
    v.close();
    await slow.close();
    expect(await totals(id)).toEqual({ wow: 7 });
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, id, 'last-liker')).likes).toBe(7);
  });
});
