import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createViewerClient, type RoomStats, type ViewerClient } from '@stickyroom/sdk';
import { createApp } from '../../server/src/app.js';
import { createLogger } from '../../core/src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { joinViewers, presenceSummary, touchViewer, watchSeconds } from '../../core/src/presence/presence.store.js';
import { presenceKeys } from '../../core/src/presence/presence.keys.js';
import { streamTotals, viewerActivity } from '../../core/src/activity/activity.store.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ STATS_INTERVAL_MS: '200' });
});
afterAll(async () => {
  await t.close();
});

const watched = (streamId: string, viewerId: string) => watchSeconds(t.app.ctx.redis, t.app.ctx.keys, streamId, viewerId);
const summary = (streamId: string) => presenceSummary(t.app.ctx.redis, t.app.ctx.keys, streamId);

/** A viewer's tabs: separate sockets of one viewer id, each joined to the stream. */
async function tabs(sub: string, streamId: string, n: number): Promise<ViewerClient[]> {
  const out: ViewerClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = await t.viewer(sub);
    await c.join(streamId);
    out.push(c);
  }
  return out;
}

function beat(c: ViewerClient, streamId: string, visible = true) {
  return c.request('presence:heartbeat', { streamId, visible });
}

describe('watch time', () => {
  it('credits a viewer watching in three tabs for a minute with 60 s, once', async () => {
    const id = await t.createStream('three tabs', 'brand-a', { start: true });
    const alice = await tabs('alice', id, 3);
    for (let round = 0; round <= 4; round++) {
      if (round > 0) t.clock.advance(15_000);
      await Promise.all(alice.map((c) => beat(c, id)));
    }
    expect(await watched(id, 'alice')).toBe(60);
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, id, 'alice')).watchMs).toBe(60_000);
    expect((await streamTotals(t.app.ctx.redis, t.app.ctx.keys, id)).watchMs).toBe(60_000);
  });

  it('credits tabs beating out of step with the time between beats, not more', async () => {
    const id = await t.createStream('staggered tabs', 'brand-a', { start: true });
    const [a, b] = await tabs('stagger', id, 2);
    await beat(a!, id);
    for (let round = 0; round < 4; round++) {
      t.clock.advance(5_000);
      await beat(b!, id);
      t.clock.advance(10_000);
      await beat(a!, id);
    }
    expect(await watched(id, 'stagger')).toBe(60);
  });

  it('credits nothing for a gap longer than two heartbeat intervals, then counts again', async () => {
    const id = await t.createStream('gap', 'brand-a', { start: true });
    const [c] = await tabs('gappy', id, 1);
    await beat(c!, id);
    t.clock.advance(31_000);
    await beat(c!, id);
    expect(await watched(id, 'gappy')).toBe(0);
    t.clock.advance(15_000);
    await beat(c!, id);
    expect(await watched(id, 'gappy')).toBe(15);
  });

  it('credits a gap of exactly 30 s (a single missed heartbeat)', async () => {
    const id = await t.createStream('missed one', 'brand-a', { start: true });
    const [c] = await tabs('missed', id, 1);
    await beat(c!, id);
    t.clock.advance(30_000);
    await beat(c!, id);
    expect(await watched(id, 'missed')).toBe(30);
  });

  it('credits nothing for hidden heartbeats', async () => {
    const id = await t.createStream('hidden', 'brand-a', { start: true });
    const [c] = await tabs('hider', id, 1);
    for (let round = 0; round <= 4; round++) {
      if (round > 0) t.clock.advance(15_000);
      await beat(c!, id, false);
    }
    expect(await watched(id, 'hider')).toBe(0);
  });

  it('does not let a hidden tab eat the credit of a visible one', async () => {
    const id = await t.createStream('hidden and visible', 'brand-a', { start: true });
    const [shown, hidden] = await tabs('two-tabs', id, 2);
    await beat(shown!, id);
    for (let round = 0; round < 4; round++) {
      t.clock.advance(10_000);
      await beat(hidden!, id, false);
      t.clock.advance(5_000);
      await beat(shown!, id);
    }
    expect(await watched(id, 'two-tabs')).toBe(60);
  });

  it('credits a tab hidden for 15 s and shown again with its visible time only', async () => {
    const id = await t.createStream('hidden and back', 'brand-a', { start: true });
    const [c] = await tabs('back-again', id, 1);
    await beat(c!, id);
    t.clock.advance(15_000);
    await beat(c!, id);
    t.clock.advance(5_000);
    await beat(c!, id, false);
    expect(await watched(id, 'back-again')).toBe(20);
    t.clock.advance(15_000);
    await beat(c!, id);
    expect(await watched(id, 'back-again')).toBe(20);
    t.clock.advance(15_000);
    await beat(c!, id);
    expect(await watched(id, 'back-again')).toBe(35);
  });

  it('keeps crediting through a visible tab while another tab of the viewer is hidden', async () => {
    const id = await t.createStream('one tab hidden', 'brand-a', { start: true });
    const [front, back] = await tabs('front-back', id, 2);
    await Promise.all([beat(front!, id), beat(back!, id)]);
    t.clock.advance(5_000);
    await beat(back!, id, false);
    for (let round = 0; round < 3; round++) {
      t.clock.advance(10_000);
      await beat(front!, id);
      t.clock.advance(5_000);
      await beat(back!, id, false);
    }
    t.clock.advance(10_000);
    await beat(front!, id);
    expect(await watched(id, 'front-back')).toBe(60);
  });

  it('stops crediting when the only visible tab disconnects, and a new tab counts from its own first beat', async () => {
    const id = await t.createStream('tab closed', 'brand-a', { start: true });
    const [closing] = await tabs('closer', id, 1);
    await beat(closing!, id);
    t.clock.advance(15_000);
    await beat(closing!, id);
    t.clock.advance(5_000);
    closing!.close();
    // the disconnect credits the 5 s up to it: that is our barrier
    await vi.waitFor(async () => expect(await watched(id, 'closer')).toBe(20), { timeout: 5_000, interval: 20 });
    t.clock.advance(10_000);
    const [next] = await tabs('closer', id, 1);
    await beat(next!, id);
    expect(await watched(id, 'closer')).toBe(20);
    t.clock.advance(15_000);
    await beat(next!, id);
    expect(await watched(id, 'closer')).toBe(35);
  });

  it('credits nothing in the waiting room, and only the live part of the beat that spans the start', async () => {
    const id = await t.createStream('waiting room');
    const host = await t.streamer('host-wait');
    const [c] = await tabs('early', id, 1);
    await beat(c!, id);
    t.clock.advance(10_000);
    await beat(c!, id);
    expect(await watched(id, 'early')).toBe(0);
    t.clock.advance(5_000);
    await host.start(id);
    t.clock.advance(10_000);
    await beat(c!, id);
    expect(await watched(id, 'early')).toBe(10);
  });

  it('credits nothing after the stream ended', async () => {
    const id = await t.createStream('ended', 'brand-a', { start: true });
    const host = await t.streamer('host-end');
    const [c] = await tabs('late', id, 1);
    await beat(c!, id);
    t.clock.advance(15_000);
    await beat(c!, id);
    await host.end(id);
    t.clock.advance(15_000);
    await beat(c!, id);
    expect(await watched(id, 'late')).toBe(15);
    expect((await c!.join(id)).viewers).toBe(0);
    const after = await summary(id);
    expect(after.uniqueViewers).toBe(1);
    expect(after.viewersTimeline.every((m) => m.viewers === 1)).toBe(true);
    expect(after.viewersTimeline.length).toBeGreaterThan(0);
  });

  it('refuses a heartbeat for a stream the socket has not joined, and bad payloads, crediting nothing', async () => {
    const id = await t.createStream('refusals', 'brand-a', { start: true });
    const [c] = await tabs('refused', id, 1);
    await beat(c!, id);
    const stranger = await t.viewer('refused');
    t.clock.advance(15_000);
    await expect(beat(stranger, id)).rejects.toMatchObject({ code: 'forbidden' });
    const raw = c!.socket as unknown as { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<any> } };
    for (const bad of [{ streamId: id }, { streamId: id, visible: 'yes' }, { streamId: id, visible: true, extra: 1 }, { visible: true }, null]) {
      expect((await raw.timeout(2000).emitWithAck('presence:heartbeat', bad)).error.code).toBe('invalid_payload');
    }
    expect(await watched(id, 'refused')).toBe(0);
  });
});

describe('live counts', () => {
  it('counts distinct viewers and drops those silent for 45 s, pushing room:stats', async () => {
    const id = await t.createStream('concurrency', 'brand-a', { start: true });
    const host = await t.streamer('host-count');
    await host.join(id);
    const twoAtOnce = host.once('room:stats', (s) => s.streamId === id && s.viewers === 2);
    const [a] = await tabs('c-a', id, 2);
    const b = await tabs('c-b', id, 1);
    expect((await b[0]!.join(id)).viewers).toBe(2);
    expect(await twoAtOnce).toMatchObject({ streamId: id, viewers: 2, peak: 2 });

    t.clock.advance(30_000);
    await beat(a!, id);
    t.clock.advance(15_000);
    const onlyA = host.once('room:stats', (s) => s.streamId === id && s.viewers === 1);
    expect(await onlyA).toMatchObject({ viewers: 1, peak: 2 });
    expect((await host.join(id)).viewers).toBe(1);
  });

  it('does not count staff as viewers', async () => {
    const id = await t.createStream('staff', 'brand-a', { start: true });
    const host = await t.streamer('host-staff');
    expect((await host.join(id)).viewers).toBe(0);
    await host.request('presence:heartbeat', { streamId: id, visible: true });
    const [v] = await tabs('only-viewer', id, 1);
    expect((await v!.join(id)).viewers).toBe(1);
    expect((await summary(id)).uniqueViewers).toBe(1);
  });

  it('records the peak and when, the per-minute timeline, and unique viewers once each', async () => {
    t.clock.set(Math.ceil(t.clock.now() / 60_000) * 60_000 + 5_000);
    const minute = Math.floor(t.clock.now() / 60_000);
    const id = await t.createStream('summary', 'brand-a', { start: true });
    const peakAt = t.clock.now() + 1_000;
    await tabs('s-a', id, 3);
    t.clock.advance(1_000);
    const [b] = await tabs('s-b', id, 1);
    t.clock.advance(60_000);
    await beat(b!, id);
    t.clock.advance(60_000);
    await tabs('s-c', id, 1);
    expect(await summary(id)).toEqual({
      uniqueViewers: 3,
      peakConcurrent: 2,
      peakAt,
      viewersTimeline: [
        { minute, viewers: 2 },
        { minute: minute + 1, viewers: 1 },
        { minute: minute + 2, viewers: 1 },
      ],
    });
  });

  it('counts the joins of one moment exactly: each viewer once, several tabs of one viewer once, the peak when reached', async () => {
    t.clock.set(Math.ceil(t.clock.now() / 60_000) * 60_000 + 5_000);
    const minute = Math.floor(t.clock.now() / 60_000);
    const id = await t.createStream('join storm', 'brand-a', { start: true });
    const clients = await Promise.all(['j-a', 'j-a', 'j-b', 'j-c', 'j-c', 'j-c', 'j-d'].map((sub) => t.viewer(sub)));
    const acks = await Promise.all(clients.map((c) => c.join(id)));
    expect(Math.max(...acks.map((a) => a.viewers))).toBe(4);
    expect(await summary(id)).toEqual({ uniqueViewers: 4, peakConcurrent: 4, peakAt: t.clock.now(), viewersTimeline: [{ minute, viewers: 4 }] });
  });

  it('records a batch of joins as the same joins one by one would (presence-join-n.lua against presence-touch-13.lua)', async () => {
    const { redis, keys } = t.app.ctx;
    const start = Math.ceil(t.clock.now() / 60_000) * 60_000 + 50_000;
    t.clock.set(start);
    const [one, batch] = [await t.createStream('joins one by one', 'brand-a', { start: true }), await t.createStream('joins in a batch', 'brand-a', { start: true })];
    // repeats, a later minute, a clock going back, and a viewer silent past the presence window
    const joins: [string, number][] = [
      ['v1', start], ['v2', start + 1], ['v1', start + 2], ['v3', start + 15_000], ['v2', start + 14_000],
      ['v4', start + 61_000], ['v1', start + 61_500], ['v5', start + 200_000], ['v5', start + 200_000],
    ];
    const oneByOne: number[] = [];
    for (const [viewer, at] of joins) oneByOne.push((await touchViewer(redis, keys, one, viewer, 'join', at)).concurrent);
    expect(await joinViewers(redis, keys, batch, joins)).toEqual(oneByOne);
    const state = async (streamId: string) => {
      const p = presenceKeys(keys, streamId);
      const minutes = await Promise.all(['v1', 'v2', 'v3', 'v4', 'v5'].map((v) => redis.getBuffer(p.minutes(v))));
      return {
        seen: await redis.zrange(p.seen, 0, -1, 'WITHSCORES'),
        unique: await redis.zrange(p.unique, 0, -1, 'WITHSCORES'),
        timeline: await redis.hgetall(p.timeline),
        stats: await redis.hgetall(p.stats),
        minutes: minutes.map((b) => b?.toString('hex')),
      };
    };
    expect(await state(batch)).toEqual(await state(one));
  });

  it('keeps no peak from the waiting room', async () => {
    const id = await t.createStream('waiting peak');
    await tabs('w-a', id, 1);
    expect(await summary(id)).toMatchObject({ uniqueViewers: 1, peakConcurrent: 0, peakAt: null });
  });

  it('pushes room:stats to a waiting room, not after the stream ended', async () => {
    const id = await t.createStream('waiting stats');
    const host = await t.streamer('host-ws');
    await host.join(id);
    const first = host.once('room:stats', (s: RoomStats) => s.streamId === id && s.viewers === 1);
    await tabs('ws-a', id, 1);
    expect(await first).toMatchObject({ viewers: 1, peak: 0 });
    await host.start(id);
    await host.end(id);
    const seen: RoomStats[] = [];
    host.on('room:stats', (s) => {
      if (s.streamId === id) seen.push(s);
    });
    // a join after the end changes nothing and is not pushed; another live stream's push is our barrier
    await tabs('ws-b', id, 1);
    const other = await t.createStream('barrier', 'brand-a', { start: true });
    await host.join(other);
    const barrier = host.once('room:stats', (s) => s.streamId === other && s.viewers === 1);
    await tabs('ws-c', other, 1);
    await barrier;
    expect(seen).toEqual([]);
    expect((await summary(id)).uniqueViewers).toBe(1);
  });
});

describe('live counts across server nodes', () => {
  it('pushes each change of room:stats once, from one node, to viewers on both', async () => {
    const second = createApp({ config: t.config, clock: t.clock, log: createLogger('silent', 'test') });
    const url = `http://127.0.0.1:${await second.listen(0, '127.0.0.1')}`;
    const onB: ViewerClient[] = [];
    const viewerOnB = async (sub: string) => {
      const c = await createViewerClient({ url, token: await t.token('viewer', sub), transports: ['websocket'], heartbeats: false }).connect();
      onB.push(c);
      return c;
    };
    try {
      const id = await t.createStream('two nodes', 'brand-a', { start: true });
      const onA = await t.viewer('mn-a');
      const seenOnA: RoomStats[] = [];
      onA.on('room:stats', (s) => {
        if (s.streamId === id) seenOnA.push(s);
      });
      await onA.join(id);
      const b1 = await viewerOnB('mn-b1');
      const twoOnB = b1.once('room:stats', (s) => s.streamId === id && s.viewers === 2);
      await b1.join(id);
      await twoOnB;
      // the next change is the barrier: a duplicate push of 2 from the other node would have come first
      const threeOnA = onA.once('room:stats', (s) => s.streamId === id && s.viewers === 3);
      await (await viewerOnB('mn-b2')).join(id);
      await threeOnA;
      expect(seenOnA.filter((s) => s.viewers === 2)).toHaveLength(1);
      expect(seenOnA.at(-1)).toMatchObject({ viewers: 3, peak: 3 });
    } finally {
      for (const c of onB) c.close();
      await second.close();
    }
  });
});
