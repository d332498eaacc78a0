import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamerClient } from '@stickyroom/sdk';
import { createLogger } from '../../core/src/logger.js';
import { recordActivity } from '../../core/src/activity/activity.store.js';
import { dropKeys } from '../../core/src/coupons/coupons.keys.js';
import { couponStore } from '../../core/src/coupons/coupons.service.js';
import { userGate } from '../../core/src/redis/event-gate.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { startTwoNodesAndWorker } from '../helpers/two-nodes.js';

let t: TestApp;
let worker: RunningWorker;
beforeAll(async () => {
  t = await startTestApp();
  worker = startWorker({ config: t.config, log: createLogger('silent', 'test-worker'), clock: t.clock });
});
afterAll(async () => {
  await worker.close();
  await t.close();
});

const drop = { title: '10% off', discount: { type: 'percent' as const, value: 10 }, quantity: 100, durationSec: 600 };

async function liveRoom(): Promise<{ streamId: string; host: StreamerClient }> {
  const streamId = await t.createStream('Drops', 'brand-a', { start: true });
  const host = await t.streamer('host-a', 'brand-a');
  await host.join(streamId);
  return { streamId, host };
}

describe('coupon drops', () => {
  it('drops a coupon to the room and lists it in the join snapshot', async () => {
    const { streamId, host } = await liveRoom();
    const early = await t.joinedViewer(streamId, 'early');
    const seen = early.once('coupon:dropped');
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, minWatchSec: 0 });
    expect(d).toEqual({ id: expect.any(String), remaining: 100, endsAt: t.clock.now() + 600_000 });
    expect(await seen).toMatchObject({ id: d.id, streamId, title: '10% off', quantity: 100, remaining: 100, perViewer: 1 });
    const late = await t.viewer('late');
    expect((await late.join(streamId)).drops).toEqual([expect.objectContaining({ id: d.id, remaining: 100 })]);
  });

  it('gives a claim a unique code and counts the claim', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, drop);
    const codes = await Promise.all(['a1', 'a2', 'a3'].map(async (s) => (await t.joinedViewer(streamId, s)).claimCoupon(d.id)));
    expect(new Set(codes.map((c) => c.code)).size).toBe(3);
    for (const c of codes) expect(c.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const later = await t.viewer('counter');
    expect((await later.join(streamId)).drops[0]?.remaining).toBe(97);
  });

  it('gives one code to a viewer claiming from three tabs at once', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, drop);
    const tabs = await Promise.all([0, 1, 2].map(() => t.joinedViewer(streamId, 'tabby')));
    const results = await Promise.allSettled(tabs.map((tab) => tab.claimCoupon(d.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['already_done', 'already_done']);
  });

  it('answers a retried claim (same opId) with the same code, not a second coupon nor already_done', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, perViewer: 2 });
    const v = await t.joinedViewer(streamId, 'retry');
    const first = await v.claimCoupon(d.id, { opId: 'op-1' });
    const again = await v.claimCoupon(d.id, { opId: 'op-1' });
    expect(again).toEqual(first);
    const second = await v.claimCoupon(d.id, { opId: 'op-2' });
    expect(second.code).not.toBe(first.code);
    await expect(v.claimCoupon(d.id, { opId: 'op-3' })).rejects.toMatchObject({ code: 'already_done' });
    expect(await v.claimCoupon(d.id, { opId: 'op-2' })).toEqual(second);
    expect((await v.join(streamId)).drops[0]?.remaining).toBe(98);
  });

  it('refuses claims once the window has closed, and the worker ends the drop on time', async () => {
    const { streamId, host } = await liveRoom();
    const v = await t.joinedViewer(streamId, 'slowpoke');
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, durationSec: 1 });
    const ended = v.once('coupon:ended', (e) => e.dropId === d.id, 15_000);
    t.clock.advance(1000);
    await expect(v.claimCoupon(d.id)).rejects.toMatchObject({ code: 'closed' });
    expect(await ended).toEqual({ dropId: d.id, streamId, reason: 'expired', claimed: 0 });
    expect((await v.join(streamId)).drops).toEqual([]);
  });

  it('refuses a viewer below the minimum watch time with not_eligible, then lets them claim', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, minWatchSec: 120 });
    const v = await t.joinedViewer(streamId, 'newcomer');
    await expect(v.claimCoupon(d.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'min_watch_time', message: 'watch 120 s more to claim this drop' });
    // watch time as the presence feature credits it: the viewer's activity ledger in this stream
    await recordActivity(t.app.ctx.redis, t.app.ctx.keys, { streamId, viewerId: 'newcomer', metric: 'watchMs', n: 120_000, at: t.clock.now() });
    expect((await v.claimCoupon(d.id)).code).toBeTruthy();
  });

  it('sells out: never more claims than the quantity, and coupon:ended goes out once', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, quantity: 2 });
    const watcher = await t.joinedViewer(streamId, 'watcher');
    const ends: unknown[] = [];
    watcher.on('coupon:ended', (e) => ends.push(e));
    const endedPush = watcher.once('coupon:ended', () => true, 5000);
    const viewers = await Promise.all(['s1', 's2', 's3', 's4'].map((s) => t.joinedViewer(streamId, s)));
    const results = await Promise.allSettled(viewers.map((v) => v.claimCoupon(d.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['sold_out', 'sold_out']);
    // the room learns the drop sold out from coupon:ended (no last stock count of 0 before it)
    await endedPush;
    // a late claimer who already holds a code hears already_done, anyone else sold_out
    const winner = viewers[results.findIndex((r) => r.status === 'fulfilled')]!;
    await expect(winner.claimCoupon(d.id)).rejects.toMatchObject({ code: 'already_done' });
    expect(ends).toEqual([{ dropId: d.id, streamId, reason: 'sold_out', claimed: 2 }]);
  });

  it("leaves the sockets a sold_out ack told out of the sell-out's coupon:ended; the SDK tells its app from the ack, once per drop", async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, quantity: 2 });
    const join = (id: string) => t.joinedViewer(streamId, id);
    const [watcher, w1, w2, loser, late] = await Promise.all([join('tw'), join('tw1'), join('tw2'), join('tl'), join('tlate')]);
    // a client of protocol 1 (an SDK older than the sold_out ack's `claimed`) keeps getting the push
    const oldToken = await t.token('viewer', 'tl-old');
    const old = await t.joinedViewer(streamId, 'tl-old', { socketOptions: { auth: { token: oldToken, protocol: 1 } } });
    // what reaches each socket on the wire, and what each SDK tells its app
    const wire = new Map<string, string[]>();
    const app = new Map<string, unknown[]>();
    for (const [name, v] of Object.entries({ watcher, w1, w2, loser, late, old })) {
      wire.set(name, []);
      app.set(name, []);
      v.socket.on('coupon:ended', (e) => wire.get(name)!.push(e.dropId));
      v.on('coupon:ended', (e) => app.get(name)!.push(e));
    }
    // an interval is running (its token held for 1.5 s), so the sell-out is owed to the interval's trailing edge
    await t.app.ctx.redis.set(dropKeys(t.app.ctx.keys, streamId, d.id).stockToken, '1', 'PX', 1500);
    const watcherHears = watcher.once('coupon:ended', (e) => e.dropId === d.id, 10_000);
    await w1.claimCoupon(d.id);
    await w2.claimCoupon(d.id);
    await expect(loser.claimCoupon(d.id)).rejects.toMatchObject({ code: 'sold_out', claimed: 2 });
    await expect(old.claimCoupon(d.id)).rejects.toMatchObject({ code: 'sold_out', claimed: 2 });
    // the loser's app heard of the sell-out from its ack, before the push went anywhere
    const ended = { dropId: d.id, streamId, reason: 'sold_out', claimed: 2 };
    expect(app.get('loser')).toEqual([ended]);
    expect(wire.get('watcher')).toEqual([]);
    expect(await watcherHears).toEqual(ended);
    // ordering: a push to the room after the sell-out's reaches every socket after it
    const { drop: marker } = await host.dropCoupon(streamId, drop);
    await Promise.all([watcher, w1, w2, loser, late, old].map((v) => v.once('coupon:dropped', (p) => p.id === marker.id)));
    // the winners, those who did not claim and the protocol-1 client got the push; the socket the ack told did not
    for (const name of ['watcher', 'w1', 'w2', 'late', 'old']) expect(wire.get(name), name).toEqual([d.id]);
    expect(wire.get('loser')).toEqual([]);
    // a claim answered sold_out after the push reached its socket: the app is not told twice
    await expect(late.claimCoupon(d.id)).rejects.toMatchObject({ code: 'sold_out' });
    for (const name of ['watcher', 'w1', 'w2', 'loser', 'late', 'old']) expect(app.get(name), name).toEqual([ended]);
    // a retry with a kept refusal (same opId) says the same, and still tells the app nothing new
    await expect(loser.claimCoupon(d.id, { opId: 'again' })).rejects.toMatchObject({ code: 'sold_out', claimed: 2 });
    expect(app.get('loser')).toEqual([ended]);
  });

  it('rate-limits coupon:stock to 4 pushes a second, on the trailing edge of each interval, and always delivers the last count', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, quantity: 500 });
    const watcher = await t.joinedViewer(streamId, 'stock-watcher');
    const pushes: { at: number; remaining: number }[] = [];
    watcher.on('coupon:stock', (s) => pushes.push({ at: performance.now(), remaining: s.remaining }));
    const claimers = await Promise.all(Array.from({ length: 40 }, (_, i) => t.joinedViewer(streamId, `sc${i}`)));
    const started = performance.now();
    // four groups of claims, each sent as soon as the room heard of the one before: each group's changes
    // fall into the interval the previous push began, and reach the room when it lapses
    for (const [g, group] of [claimers.slice(0, 10), claimers.slice(10, 20), claimers.slice(20, 30), claimers.slice(30)].entries()) {
      const heard = watcher.once('coupon:stock', (s) => s.remaining <= 490 - g * 10, 5000);
      await Promise.all(group.map((c) => c.claimCoupon(d.id)));
      await heard;
    }
    const elapsedSec = (performance.now() - started) / 1000;
    expect(pushes.at(-1)?.remaining).toBe(460);
    expect(pushes.length).toBeGreaterThanOrEqual(4);
    expect(pushes.length).toBeLessThanOrEqual(Math.ceil(elapsedSec * 4) + 1);
    for (let i = 1; i < pushes.length; i++) {
      expect(pushes[i]!.remaining).toBeLessThan(pushes[i - 1]!.remaining);
      expect(pushes[i]!.at - pushes[i - 1]!.at).toBeGreaterThan(150);
    }
  });

  it('pushes on the interval\'s trailing edge: a sell-out inside the interval owes the room coupon:ended alone, a sell-out with no interval running pushes it at once', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, quantity: 3 });
    const store = couponStore(t.app.ctx);
    const keys = dropKeys(t.app.ctx.keys, streamId, d.id);
    // a long interval, so that the test decides when it lapses (by deleting its token)
    const claim = (viewerId: string) =>
      store.claim({ streamId, dropId: d.id, viewerId, code: `TRAIL-${viewerId}`, now: t.clock.now(), stockIntervalMs: 60_000, refusalReplayMs: 15_000, gate: userGate(t.app.ctx, streamId, viewerId) });
    const first = await claim('t1');
    // the first change takes the interval without pushing: its node comes back when the interval lapses
    expect(first).toMatchObject({ remaining: 2, soldOut: undefined, pushStockNow: false });
    expect(first.flushInMs).toBeGreaterThan(59_000);
    expect(await store.stock(streamId, d.id, 60_000)).toEqual({ waitMs: expect.any(Number) });
    // the interval lapses with its change still owed (its node's flush late): the claim that takes the next
    // interval pushes the count itself, so no change waits two intervals
    await t.app.ctx.redis.del(keys.stockToken);
    expect(await claim('t2')).toMatchObject({ remaining: 1, pushStockNow: true, flushInMs: 0 });
    expect(await store.stock(streamId, d.id, 60_000)).toBe('none');
    const last = await claim('t3');
    expect(last).toMatchObject({ remaining: 0, soldOut: 'flush' });
    expect(last.flushInMs).toBeGreaterThan(0);
    // the interval lapses: what is owed is the sell-out, not a count of 0, and it goes once
    await t.app.ctx.redis.del(keys.stockToken);
    expect(await store.stock(streamId, d.id, 60_000)).toEqual({ ended: 3 });
    await t.app.ctx.redis.del(keys.stockToken);
    expect(await store.stock(streamId, d.id, 60_000)).toBe('none');

    // no interval running (nothing pushed or owed in the last one): the sell-out is pushed by its claim at once
    const { drop: one } = await host.dropCoupon(streamId, { ...drop, quantity: 1 });
    const only = await store.claim({ streamId, dropId: one.id, viewerId: 't1', code: 'TRAIL-ONE', now: t.clock.now(), stockIntervalMs: 60_000, refusalReplayMs: 15_000, gate: userGate(t.app.ctx, streamId, 't1') });
    expect(only).toMatchObject({ soldOut: 'now', flushInMs: 0 });
    expect(await store.stock(streamId, one.id, 60_000)).toBe('none');

    // a count owed by a drop the streamer ended is dropped: its own coupon:ended went out
    const { drop: cut } = await host.dropCoupon(streamId, drop);
    await store.claim({ streamId, dropId: cut.id, viewerId: 't1', code: 'TRAIL-CUT', now: t.clock.now(), stockIntervalMs: 60_000, refusalReplayMs: 15_000, gate: userGate(t.app.ctx, streamId, 't1') });
    await host.endDrop(cut.id);
    await t.app.ctx.redis.del(dropKeys(t.app.ctx.keys, streamId, cut.id).stockToken);
    expect(await store.stock(streamId, cut.id, 60_000)).toBe('none');
  });

  it('ends a drop when the streamer says so, once, and refuses claims after', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, drop);
    const v = await t.joinedViewer(streamId, 'ender');
    await v.claimCoupon(d.id);
    const ended = v.once('coupon:ended', (e) => e.dropId === d.id);
    expect(await host.endDrop(d.id)).toEqual({ claimed: 1, remaining: 99 });
    expect(await ended).toMatchObject({ reason: 'ended', claimed: 1 });
    expect(await host.endDrop(d.id)).toEqual({ claimed: 1, remaining: 99 });
    await expect(v.claimCoupon(d.id)).rejects.toMatchObject({ code: 'closed' });
  });

  it('closes open drops when the stream ends', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, drop);
    const v = await t.joinedViewer(streamId, 'stayer');
    const ended = v.once('coupon:ended', (e) => e.dropId === d.id);
    await host.end(streamId);
    expect(await ended).toMatchObject({ reason: 'ended', claimed: 0 });
    await expect(v.claimCoupon(d.id)).rejects.toMatchObject({ code: 'closed' });
  });

  it('refuses every streamer-only coupon and product event to viewers, and other brands', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, drop);
    const v = await t.joinedViewer(streamId, 'sneaky');
    await expect(v.request('coupon:drop', { streamId, ...drop })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(v.request('coupon:end', { dropId: d.id })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(v.request('product:pin', { streamId, product: null })).rejects.toMatchObject({ code: 'forbidden' });
    const other = await t.streamer('host-b', 'brand-b');
    await expect(other.dropCoupon(streamId, drop)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(other.endDrop(d.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(host.request('coupon:claim', { dropId: d.id })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await v.join(streamId)).drops[0]?.remaining).toBe(100);
  });

  it('refuses claims from viewers who did not join, for malformed and unknown drops, and drops in a stream not live', async () => {
    const { streamId, host } = await liveRoom();
    const { drop: d } = await host.dropCoupon(streamId, drop);
    const outsider = await t.viewer('outsider');
    await expect(outsider.claimCoupon(d.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(outsider.claimCoupon('no-such-drop')).rejects.toMatchObject({ code: 'invalid_payload' });
    const fan = await t.joinedViewer(streamId, 'unknown-drop-fan');
    await expect(fan.claimCoupon(`${streamId}.nope`)).rejects.toMatchObject({ code: 'not_found' });
    const scheduled = await t.createStream('Later', 'brand-a');
    await expect(host.dropCoupon(scheduled, drop)).rejects.toMatchObject({ code: 'not_live' });
    await expect(host.request('coupon:drop', { streamId, ...drop, quantity: 0 })).rejects.toMatchObject({ code: 'invalid_payload' });
  });
});

describe('coupon drops across nodes', () => {
  it("leaves the sockets another node's sold_out acks told out of the sell-out's push made on this node", async () => {
    const nodes = await startTwoNodesAndWorker();
    try {
      const streamId = await nodes.a.createStream('two nodes told', 'brand-a', { start: true });
      const host = await nodes.a.streamer('tt-host', 'brand-a');
      await host.join(streamId);
      const { drop: d } = await host.dropCoupon(streamId, { ...drop, quantity: 1 });
      // the winner on node A, a refused claimer and a viewer who does not claim on node B
      const winner = await nodes.a.joinedViewer(streamId, 'tt-win');
      const [loser, watcher] = await Promise.all([nodes.b.joinedViewer(streamId, 'tt-lose'), nodes.b.joinedViewer(streamId, 'tt-watch')]);
      const wire = { loser: [] as string[], watcher: [] as string[] };
      loser.socket.on('coupon:ended', (e) => wire.loser.push(e.dropId));
      watcher.socket.on('coupon:ended', (e) => wire.watcher.push(e.dropId));
      // an interval is running, so node A pushes the sell-out when it lapses, after the refusal on node B
      await nodes.a.app.ctx.redis.set(dropKeys(nodes.a.app.ctx.keys, streamId, d.id).stockToken, '1', 'PX', 1500);
      const watcherHears = watcher.once('coupon:ended', (e) => e.dropId === d.id, 10_000);
      await winner.claimCoupon(d.id);
      await expect(loser.claimCoupon(d.id)).rejects.toMatchObject({ code: 'sold_out', claimed: 1 });
      expect(wire.watcher).toEqual([]);
      await watcherHears;
      const { drop: marker } = await host.dropCoupon(streamId, drop);
      await Promise.all([loser, watcher].map((v) => v.once('coupon:dropped', (p) => p.id === marker.id)));
      expect(wire).toEqual({ loser: [], watcher: [d.id] });
    } finally {
      await nodes.close();
    }
  });
});
