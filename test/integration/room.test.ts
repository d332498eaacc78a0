import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainFeatures } from '../../core/src/features.js';
import type { DomainFeature } from '../../core/src/feature.js';
import { presenceSummary } from '../../core/src/presence/presence.store.js';
import { streamRoom } from '../../core/src/pusher.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { openRaw } from '../helpers/raw-socket.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('room:join', () => {
  it('refuses a banned viewer before counting them as a viewer of the stream', async () => {
    const id = await t.createStream('bans', 'brand-a', { start: true });
    const host = await t.streamer('host');
    await host.ban(id, 'troll');
    const troll = await t.viewer('troll');
    await expect(troll.join(id)).rejects.toMatchObject({ code: 'banned' });
    const summary = await presenceSummary(t.app.ctx.redis, t.app.ctx.keys, id);
    expect(summary.uniqueViewers).toBe(0);
  });

  it("lets the stream's staff join though their id is banned, and answers not_found before banned for an unknown stream", async () => {
    const id = await t.createStream('staff bans', 'brand-a', { start: true });
    const host = await t.streamer('host-bans');
    await host.ban(id, 'turncoat');
    const asModerator = await t.streamer('turncoat', 'brand-a', { role: 'moderator' });
    await expect(asModerator.join(id)).resolves.toMatchObject({ stream: { id } });
    const asViewer = await t.viewer('turncoat');
    await expect(asViewer.join(id)).rejects.toMatchObject({ code: 'banned' });
    await expect(asViewer.join('no-such-stream')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('gives each of the joins of one moment its own lottery standing beside the same history and pins', async () => {
    const id = await t.createStream('one moment', 'brand-a', { start: true });
    const host = await t.streamer('host-moment');
    await host.join(id);
    const sent = [];
    for (let i = 1; i <= 25; i++) sent.push((await host.chat(id, `m${i}`)).message);
    await host.request('chat:pin', { streamId: id, messageId: sent[24]!.id });
    const product = { id: 'p1', title: 'Sneaker', price: 89.9, currency: 'EUR', url: 'https://example.com/p/1' };
    await host.pinProduct(id, product);
    const { lottery } = await host.createLottery(id, { prize: 'A pair', winners: 1, durationSec: 3600 });
    const ins = await Promise.all(['in-1', 'in-2'].map((sub) => t.joinedViewer(id, sub)));
    for (const v of ins) await v.enterLottery(lottery.id);
    const outs = await Promise.all(['out-1', 'out-2'].map((sub) => t.viewer(sub)));
    const mod = await t.streamer('mod-moment', 'brand-a', { role: 'moderator' });
    // every socket asks at once: one moment's shared reads
    const acks = await Promise.all([...ins, ...outs, mod].map((c) => c.request('room:join', { streamId: id })));
    for (const ack of acks) {
      expect(ack.chat).toEqual(sent.slice(-20));
      expect(ack.pinned).toEqual({ message: expect.objectContaining({ message: sent[24] }), product: expect.objectContaining(product) });
    }
    expect(acks.map((a) => a.lottery?.entered)).toEqual([true, true, false, false, undefined]);
    expect(acks.map((a) => a.lottery?.entrants)).toEqual([2, 2, 2, 2, 2]);
  });
});

describe('room:join and room:leave of one socket', () => {
  it('apply in the order they were sent: a leave sent before the join was answered wins', async () => {
    const id = await t.createStream('join then leave', 'brand-a', { start: true });
    const raw = await openRaw(t.url, { auth: { token: await t.token('viewer', 'quick-leaver') } });
    const stream = JSON.stringify({ streamId: id });
    raw.send(`421["room:join",${stream}]`);
    raw.send(`422["room:leave",${stream}]`);
    expect(await raw.ack(2)).toEqual({ ok: true });
    expect(await raw.ack(1)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(t.app.io.of('/').adapter.rooms.get(streamRoom(id))).toBeUndefined();
    expect((await presenceSummary(t.app.ctx.redis, t.app.ctx.keys, id)).uniqueViewers).toBe(0);
    // and a join sent after the leave joins
    raw.send(`423["room:join",${stream}]`);
    expect(await raw.ack(3)).toMatchObject({ ok: true, stream: { id } });
    expect(t.app.io.of('/').adapter.rooms.get(streamRoom(id))?.size).toBe(1);
    raw.close();
  });

  it("reach the SDK's join as a conflict when leave() is called before it resolved", async () => {
    const id = await t.createStream('sdk join then leave', 'brand-a', { start: true });
    const viewer = await t.viewer('sdk-quick-leaver');
    const joining = viewer.join(id);
    const leaving = viewer.leave(id);
    await expect(joining).rejects.toMatchObject({ code: 'conflict' });
    await leaving;
    expect(t.app.io.of('/').adapter.rooms.get(streamRoom(id))).toBeUndefined();
  });
});

describe('an SDK join answered after leave() was called', () => {
  it('rejects with conflict and leaves the client out of the stream, as the server left the socket', async () => {
    // a feature whose part of the snapshot waits for the test: the server has joined the socket to the room
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const waiting = new Promise<void>((resolve) => (reached = resolve));
    const slow: DomainFeature = {
      name: 'slow',
      join: { part: async () => (reached(), await held, {}) },
    };
    const app = await startTestApp({}, { domain: [...domainFeatures, slow] });
    try {
      const id = await app.createStream('slow join', 'brand-a', { start: true });
      const viewer = await app.viewer('slow-joiner');
      const joining = viewer.join(id);
      joining.catch(() => {});
      await waiting;
      // the leave is answered while the join still reads its snapshot
      await viewer.leave(id);
      release();
      await expect(joining).rejects.toMatchObject({ code: 'conflict' });
      expect(viewer.streams).toEqual([]);
      expect(app.app.io.of('/').adapter.rooms.get(streamRoom(id))).toBeUndefined();
    } finally {
      release();
      await app.close();
    }
  });
});

describe('room:join past the joins a node runs at once (JOIN_CONCURRENCY)', () => {
  let one: TestApp;
  beforeAll(async () => {
    one = await startTestApp({ JOIN_CONCURRENCY: '1' });
  });
  afterAll(async () => {
    await one.close();
  });

  it('answers every join of a storm, in turn, each with the whole snapshot', async () => {
    const id = await one.createStream('storm', 'brand-a', { start: true });
    const host = await one.streamer('host-storm');
    await host.join(id);
    const said = (await host.chat(id, 'welcome <script>alert(1)</script>')).message;
    const viewers = await Promise.all(Array.from({ length: 12 }, (_, i) => one.viewer(`storm-${i}`)));
    const acks = await Promise.all(viewers.map((v) => v.request('room:join', { streamId: id })));
    for (const ack of acks) {
      expect(ack.stream.id).toBe(id);
      expect(ack.chat).toEqual([said]);
    }
    expect((await presenceSummary(one.app.ctx.redis, one.app.ctx.keys, id)).uniqueViewers).toBe(12);
  });

  it('records nothing of a socket that went away while its join waited', async () => {
    const id = await one.createStream('leavers', 'brand-a', { start: true });
    const viewer = async (i: number) => openRaw(one.url, { auth: { token: await one.token('viewer', `leaver-${i}`) } });
    const sockets = await Promise.all(Array.from({ length: 6 }, (_, i) => viewer(i)));
    const join = `421["room:join",${JSON.stringify({ streamId: id })}]`;
    for (const s of sockets) s.send(join);
    // the last one leaves at once, its join sent: a turn at a time, it waits behind the ones before it
    sockets[5]!.close();
    for (const s of sockets.slice(0, 5)) expect(await s.ack(1)).toEqual(expect.objectContaining({ ok: true }));
    // one join at a time, in arrival order: once a later one is answered, the leaver's turn is over
    const late = await viewer(6);
    late.send(join);
    expect(await late.ack(1)).toEqual(expect.objectContaining({ ok: true }));
    const room = one.app.io.of('/').adapter.rooms.get(streamRoom(id));
    const live = new Set(one.app.io.of('/').sockets.keys());
    expect(room?.size).toBe(6);
    for (const member of room ?? []) expect(live.has(member)).toBe(true);
    expect((await presenceSummary(one.app.ctx.redis, one.app.ctx.keys, id)).uniqueViewers).toBe(6);
    for (const s of [...sockets, late]) s.close();
  });
});
