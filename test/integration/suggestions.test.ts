import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import type { OrderWebhookBody, StreamerClient, ViewerClient } from '@stickyroom/sdk';
import { StreamSuggestions } from '@stickyroom/sdk/protocol';
import { createLogger } from '../../core/src/logger.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { startTestApp, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';

const BRAND = 'brand-sug';
const T0 = Date.UTC(2026, 4, 4, 18, 0, 0);
const product = (id: string, title: string) => ({ id, title, price: 10, currency: 'EUR' });
const KETTLE = product('p-kettle', 'Red kettle');
const MUG = product('p-mug', 'Blue mug');
const TEA = product('p-tea', '<script>alert(1)</script> tea');

let t: TestApp;
let worker: RunningWorker;
let host: StreamerClient;
let brandToken: string;
beforeAll(async () => {
  t = await startTestApp();
  t.clock.set(T0);
  worker = startWorker({ config: t.config, log: createLogger('silent', 'test-worker'), clock: t.clock });
  host = await t.streamer(`host-${BRAND}`, BRAND);
  brandToken = await t.token('brand', 'analyst', { brandId: BRAND });
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
});

function jobDone(type: string, streamId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = () => {
      worker.worker.off('completed', done);
      worker.worker.off('failed', failed);
    };
    const done = (job: Job) => {
      if (job.data.type === type && job.data.streamId === streamId) (off(), resolve());
    };
    const failed = (job: Job | undefined, err: Error) => {
      if (job?.data.type === type && job.data.streamId === streamId) (off(), reject(err));
    };
    worker.worker.on('completed', done);
    worker.worker.on('failed', failed);
  });
}

async function order(body: OrderWebhookBody): Promise<{ status: number; text: string }> {
  const raw = JSON.stringify(body);
  return t.http('POST', '/api/webhooks/orders', { raw, headers: { 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, raw) } });
}

async function joined(streamId: string, ids: string[]): Promise<Record<string, ViewerClient>> {
  const out: Record<string, ViewerClient> = {};
  for (const id of ids) out[id] = await t.joinedViewer(streamId, id);
  return out;
}

async function suggestions(streamId: string, token = brandToken): Promise<StreamSuggestions> {
  const res = await t.http('GET', `/api/streams/${streamId}/suggestions`, { token });
  expect(res.status, res.text).toBe(200);
  return StreamSuggestions.parse(res.body);
}

let earlier: string;
let tonight: string;

describe("the streamer's suggestions while live", () => {
  it('records who clicked and bought what in an earlier stream', async () => {
    earlier = await t.createStream('Earlier', BRAND, { start: true });
    await host.join(earlier);
    for (const p of [KETTLE, MUG, TEA]) await host.pinProduct(earlier, p);
    const v = await joined(earlier, ['v1', 'v2', 'v3', 'v4', 'v5']);
    for (const id of ['v1', 'v2', 'v3']) await v[id]!.clickProduct(earlier, MUG.id);
    await v.v4!.clickProduct(earlier, KETTLE.id);
    await v.v5!.clickProduct(earlier, TEA.id);
    await v.v1!.clickProduct(earlier, TEA.id);
    await v.v1!.clickProduct(earlier, TEA.id);
    for (const [orderId, viewerId, productIds] of [
      ['sug-o1', 'v4', [KETTLE.id]],
      ['sug-o2', 'v5', [TEA.id, KETTLE.id, TEA.id]],
      ['sug-o3', 'v3', ['p-never-pinned']],
    ] as const) {
      const res = await order({ orderId, viewerId, amount: 10, currency: 'EUR', streamId: earlier, productIds: [...productIds] });
      expect(res.status, res.text).toBe(200);
    }
    t.clock.advance(10 * 60_000);
    const done = Promise.all([jobDone('stream.finalize', earlier), jobDone('rollup', earlier)]);
    await host.request('stream:end', { streamId: earlier });
    await done;
    for (const c of Object.values(v)) c.close();
  });

  it("ranks products by what tonight's viewers bought (×3) and clicked before, leaving out the product pinned now", async () => {
    t.clock.advance(7 * 24 * 3600_000);
    tonight = await t.createStream('Tonight', BRAND, { start: true });
    await host.join(tonight);
    await host.pinProduct(tonight, KETTLE);
    await joined(tonight, ['v1', 'v2', 'v4', 'v5', 'n1']);

    const s = await suggestions(tonight);
    expect(s.audience).toBe(5);
    expect(s.basedOn).toEqual([earlier]);
    // v3 clicked the mug and bought an unpinned product, but is not here tonight
    expect(s.products).toEqual([
      { productId: TEA.id, title: TEA.title, product: TEA, clickedBy: 2, boughtBy: 1, score: 5, pinnedTonight: false, reason: "Bought by 1 and clicked by 2 of tonight's 5 viewers in the brand's previous stream." },
      { productId: MUG.id, title: MUG.title, product: MUG, clickedBy: 2, boughtBy: 0, score: 2, pinnedTonight: false, reason: "Clicked by 2 of tonight's 5 viewers in the brand's previous stream." },
    ]);

    // a new pin shows once the node's cached answer is older than 15 s
    await host.pinProduct(tonight, MUG);
    t.clock.advance(16_000);
    const next = await suggestions(tonight);
    expect(next.products.map((p) => [p.productId, p.score, p.pinnedTonight])).toEqual([
      [KETTLE.id, 7, true],
      [TEA.id, 5, false],
    ]);
  });

  it("compares tonight's segments with the brand's usual audience", async () => {
    const s = await suggestions(tonight);
    const summary = (await t.http('GET', `/api/streams/${tonight}/summary`, { token: brandToken })).body;
    const counts = Object.fromEntries(s.segments.map((r) => [r.segment, r.tonight]));
    expect(counts).toMatchObject(summary.segments.before);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(5);
    // everyone was new to the brand at the earlier stream; tonight only n1 is
    const unrated = s.segments.find((r) => r.segment === 'unrated')!;
    expect(unrated).toMatchObject({ tonight: 1, tonightShare: 0.2, usualShare: 1, deltaPoints: -80, reading: 'under' });
    for (const r of s.segments.filter((x) => x.segment !== 'unrated' && x.tonight > 0)) expect(r.reading).toBe('over');
  });

  it('answers the stream\'s staff and brand only', async () => {
    expect((await t.http('GET', `/api/streams/${tonight}/suggestions`, { token: await t.token('streamer', `host-${BRAND}`, { brandId: BRAND }) })).status).toBe(200);
    expect((await t.http('GET', `/api/streams/${tonight}/suggestions`, { token: await t.token('viewer', 'v1') })).status).toBe(403);
    expect((await t.http('GET', `/api/streams/${tonight}/suggestions`, { token: await t.token('brand', 'spy', { brandId: 'brand-other' }) })).status).toBe(403);
    expect((await t.http('GET', '/api/streams/nope/suggestions', { token: brandToken })).status).toBe(404);
  });

  it('refuses an order naming too many or malformed products, and counts nothing', async () => {
    const many = await order({ orderId: 'sug-bad', viewerId: 'v1', amount: 1, currency: 'EUR', streamId: tonight, productIds: Array.from({ length: 101 }, (_, i) => `p${i}`) });
    expect(many.status).toBe(400);
    const bad = await order({ orderId: 'sug-bad', viewerId: 'v1', amount: 1, currency: 'EUR', streamId: tonight, productIds: ['has space'] });
    expect(bad.status).toBe(400);
    expect((await order({ orderId: 'sug-bad', viewerId: 'v1', amount: 1, currency: 'EUR', streamId: tonight })).text).toContain('"duplicate":false');
  });
});
