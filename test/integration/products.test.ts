import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMoments, streamTotals, viewerActivity } from '../../core/src/activity/activity.store.js';
import { productStore } from '../../core/src/products/products.service.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ CLICK_SCORE_CAP: '3' });
});
afterAll(async () => {
  await t.close();
});

const sneakers = { id: 'sku-42', title: 'Runner 2', price: 89.9, currency: 'EUR', imageUrl: 'https://cdn.example/r2.jpg', url: 'https://shop.example/r2' };

describe('pinned products', () => {
  it('pins a product to the room, into the join snapshot and the timeline, and unpins it', async () => {
    const streamId = await t.createStream('Pins', 'brand-a', { start: true });
    const host = await t.streamer('host-a');
    const early = await t.viewer('early-p');
    await early.join(streamId);
    const pinned = early.once('product:pinned');
    expect(await host.pinProduct(streamId, sneakers)).toEqual({});
    expect(await pinned).toEqual({ streamId, product: sneakers });
    const late = await t.viewer('late-p');
    expect((await late.join(streamId)).pinned?.product).toEqual(sneakers);
    expect(await readMoments(t.app.ctx.redis, t.app.ctx.keys, streamId)).toContainEqual(
      expect.objectContaining({ kind: 'product', id: 'sku-42', label: 'Runner 2', at: t.clock.now() }),
    );
    const unpinned = early.once('product:pinned', (e) => e.product === null);
    await host.pinProduct(streamId, null);
    await unpinned;
    expect((await late.join(streamId)).pinned?.product).toBeUndefined();
  });

  it('counts clicks per viewer (capped for scoring) and per product', async () => {
    const streamId = await t.createStream('Clicks', 'brand-a', { start: true });
    const host = await t.streamer('host-a');
    await host.pinProduct(streamId, sneakers);
    const a = await t.viewer('clicker-a');
    const b = await t.viewer('clicker-b');
    await a.join(streamId);
    await b.join(streamId);
    for (let i = 0; i < 5; i++) await a.clickProduct(streamId, 'sku-42');
    await b.clickProduct(streamId, 'sku-42');
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, 'clicker-a')).clicks).toBe(3);
    expect((await streamTotals(t.app.ctx.redis, t.app.ctx.keys, streamId)).clicks).toBe(6);
    expect(await productStore(t.app.ctx).clickStats(streamId)).toEqual([{ productId: 'sku-42', clicks: 6, clickers: 2 }]);
  });

  it('refuses clicks on products never pinned, from viewers not in the room, and from staff', async () => {
    const streamId = await t.createStream('Bad clicks', 'brand-a', { start: true });
    const v = await t.viewer('clicker-c');
    await expect(v.clickProduct(streamId, 'sku-42')).rejects.toMatchObject({ code: 'forbidden' });
    await v.join(streamId);
    await expect(v.clickProduct(streamId, 'sku-1')).rejects.toMatchObject({ code: 'not_found' });
    const host = await t.streamer('host-a');
    await host.join(streamId);
    await expect(host.request('product:click', { streamId, productId: 'sku-1' })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('refuses pins from viewers, other brands, bad cards, and after the stream ended', async () => {
    const streamId = await t.createStream('Guarded', 'brand-a', { start: true });
    const v = await t.viewer('pinner');
    await expect(v.request('product:pin', { streamId, product: sneakers })).rejects.toMatchObject({ code: 'forbidden' });
    const other = await t.streamer('host-b', 'brand-b');
    await expect(other.pinProduct(streamId, sneakers)).rejects.toMatchObject({ code: 'forbidden' });
    const host = await t.streamer('host-a');
    await expect(host.pinProduct(streamId, { ...sneakers, currency: 'euro' })).rejects.toMatchObject({ code: 'invalid_payload' });
    await expect(host.pinProduct(streamId, { ...sneakers, url: 'javascript:alert(1)' })).rejects.toMatchObject({ code: 'invalid_payload' });
    await host.end(streamId);
    await expect(host.pinProduct(streamId, sneakers)).rejects.toMatchObject({ code: 'closed' });
  });
});
