import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordActivity } from '../../core/src/activity/activity.store.js';
import { touchViewer } from '../../core/src/presence/presence.store.js';
import { streamStore } from '../../core/src/streams/streams.service.js';
import { computeSummary } from '../../core/src/summary/summary.compute.js';
import { liveSummaries } from '../../core/src/summary/summary.live.js';
import { finalizeSummary } from '../../core/src/summary/summary.service.js';
import { summaryStore } from '../../core/src/summary/summary.viewers.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { Lease } from '../../core/src/redis/lease.js';
import { summaryKeys } from '../../core/src/summary/summary.keys.js';

// The live summary is cached in Redis and refreshed by one node at a time (docs/summary.md, "Live and
// final"). Time moves only with the test clock: a change must show once the cached summary is older than
// SUMMARY_LIVE_MAX_AGE_MS, never later, and the figures must equal a full computation at the same time.
const BRAND = 'brand-live';
const MAX_AGE = 5000;
const REFRESH = 2000;
let a: TestApp;
let b: TestApp;
const env = { SUMMARY_LIVE_MAX_AGE_MS: String(MAX_AGE), SUMMARY_LIVE_REFRESH_MS: String(REFRESH) };

beforeAll(async () => {
  a = await startTestApp(env);
  // a second node of the same deployment (same prefix, same clock)
  b = await startTestApp({ ...env, REDIS_PREFIX: a.prefix }, { clock: a.clock });
});
afterAll(async () => {
  await b.close();
  await a.close();
});

const chat = (t: TestApp, streamId: string, viewerId: string) =>
  recordActivity(t.app.ctx.redis, t.app.ctx.keys, { streamId, viewerId, metric: 'chat', at: t.clock.now() });
const join = (t: TestApp, streamId: string, viewerId: string) => touchViewer(t.app.ctx.redis, t.app.ctx.keys, streamId, viewerId, 'join', t.clock.now());

async function read(t: TestApp, id: string) {
  const token = await t.token('brand', 'analyst', { brandId: BRAND });
  const res = await t.http('GET', `/api/streams/${id}/summary`, { token });
  expect(res.status).toBe(200);
  expect(a.clock.now() - res.body.computedAt).toBeLessThanOrEqual(MAX_AGE);
  return res.body as { computedAt: number; chatMessages: number; uniqueViewers: number; chatters: number; final: boolean };
}

describe('live summary cache', () => {
  it('serves the stored summary while it is fresh and shows a change once it is older than the bound', async () => {
    const id = await a.createStream('Cached', BRAND, { start: true });
    await join(a, id, 'v1');
    await chat(a, id, 'v1');
    const first = await read(a, id);
    expect(first).toMatchObject({ uniqueViewers: 1, chatMessages: 1, final: false });

    await chat(a, id, 'v1');
    await join(a, id, 'v2');
    // fresh: served as stored, on either node, without a recomputation
    expect(await read(a, id)).toEqual(first);
    expect(await read(b, id)).toEqual(first);

    // older than the refresh age: still served (within the bound), and a refresh starts behind it
    a.clock.advance(REFRESH + 1);
    expect((await read(a, id)).computedAt).toBe(first.computedAt);
    await liveSummaries(a.app.ctx).refresh((await streamStore(a.app.ctx).get(id))!);

    // past the bound: never served; the change shows
    a.clock.advance(MAX_AGE + 1);
    const later = await read(b, id);
    expect(later).toMatchObject({ uniqueViewers: 2, chatMessages: 2, chatters: 1 });
    expect(later.computedAt).toBe(a.clock.now());
  });

  it('lets one node at a time refresh a stream', async () => {
    const id = await a.createStream('One refresher', BRAND, { start: true });
    await join(a, id, 'v1');
    const stream = (await streamStore(a.app.ctx).get(id))!;
    // a refresh under way elsewhere holds the stream's lease
    const busy = (await Lease.acquire(a.app.ctx.redis, a.app.ctx.keys, summaryKeys(a.app.ctx.keys, id).liveLease, 60_000))!;
    expect(await liveSummaries(a.app.ctx).refresh(stream)).toBeNull();
    expect(await liveSummaries(b.app.ctx).refresh(stream)).toBeNull();
    await busy.release();
    expect(await liveSummaries(b.app.ctx).refresh(stream)).toMatchObject({ uniqueViewers: 1 });
    // held only while computing: the other node refreshes next, from its own (empty) audience
    await join(a, id, 'v2');
    a.clock.advance(1);
    expect(await liveSummaries(a.app.ctx).refresh(stream)).toMatchObject({ uniqueViewers: 2 });
  });

  it('gives, refresh after refresh, the figures of a full computation at the same time; the final summary is the exact recompute', async () => {
    const id = await a.createStream('Incremental', BRAND, { start: true });
    const ctx = a.app.ctx;
    const live = liveSummaries(ctx);
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 30; i++) {
        const v = `v${(round * 17 + i * 7) % 45}`;
        if (i % 3 === 0) await join(a, id, v);
        if (i % 2 === 0) await chat(a, id, v);
        if (i % 5 === 0) await recordActivity(ctx.redis, ctx.keys, { streamId: id, viewerId: `buyer${round}`, metric: 'orders', at: a.clock.now() });
      }
      a.clock.advance(61_000);
      const stream = (await streamStore(ctx).get(id))!;
      const refreshed = await live.refresh(stream);
      const full = (await computeSummary(ctx, stream, false)).summary;
      expect(refreshed).toEqual(full);
    }
    await a.http('POST', `/api/streams/${id}/end`, { token: await a.token('streamer', `host-${BRAND}`, { brandId: BRAND }) });
    expect(await finalizeSummary(ctx, id)).toBe('stored');
    const stored = await summaryStore(ctx).readFinal(id);
    const ended = (await streamStore(ctx).get(id))!;
    expect(stored).toEqual({ ...(await computeSummary(ctx, ended, true)).summary, computedAt: stored!.computedAt });
    expect(await read(a, id)).toEqual(stored);
  });

  it("refreshes in the node's summary thread: the figures follow the stream, a thread that dies is replaced, closing the node ends it", async () => {
    // a third node of the deployment, closed by this test
    const c = await startTestApp({ ...env, REDIS_PREFIX: a.prefix }, { clock: a.clock });
    const ctx = c.app.ctx;
    const live = liveSummaries(ctx);
    expect(live.thread.current).toBeNull(); // started by the first refresh, not before
    const id = await a.createStream('Threaded', BRAND, { start: true });
    const full = async () => (await computeSummary(ctx, (await streamStore(ctx).get(id))!, false)).summary;
    await join(a, id, 'v1');
    await chat(a, id, 'v1');
    expect(await read(c, id)).toMatchObject({ uniqueViewers: 1, chatMessages: 1, chatters: 1, final: false });
    const first = live.thread.current!;
    expect(first).not.toBeNull();

    // the stream moves on: the same thread reads the change into the audience it kept
    await join(a, id, 'v2');
    await chat(a, id, 'v2');
    await chat(a, id, 'v1');
    a.clock.advance(MAX_AGE + 1);
    const second = await read(c, id);
    expect(second).toMatchObject({ uniqueViewers: 2, chatMessages: 3, chatters: 2 });
    expect(second).toEqual(await full());
    expect(live.thread.current).toBe(first);

    // the thread dies: the next refresh starts another, from an empty audience, with the same exact figures
    await first.terminate();
    expect(live.thread.current).toBeNull();
    await join(a, id, 'v3');
    a.clock.advance(MAX_AGE + 1);
    const third = await read(c, id);
    expect(third).toMatchObject({ uniqueViewers: 3, chatMessages: 3, chatters: 2 });
    expect(third).toEqual(await full());
    const next = live.thread.current!;
    expect(next).not.toBeNull();
    expect(next).not.toBe(first);

    // closing the node ends its thread; a refresh asked afterwards is refused, not a new thread
    const stream = (await streamStore(ctx).get(id))!;
    const exited = once(next, 'exit');
    await c.app.close(); // not c.close(): the keys are the deployment's (a's), dropped after the last test
    await exited;
    expect(live.thread.current).toBeNull();
    await expect(live.refresh(stream)).rejects.toMatchObject({ code: 'unavailable' });
    expect(live.thread.current).toBeNull();
  });
});
