import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSummary } from '../../core/src/summary/summary.compute.js';
import { indexStream, summaryStore } from '../../core/src/summary/summary.viewers.js';
import { streamStore } from '../../core/src/streams/streams.service.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

// No worker runs here: the stream.finalize job waits in the queue, as when every worker is down.
const BRAND = 'brand-fin';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('summary of an ended stream no worker has finalized', () => {
  it('is served as partial, and finalized on demand exactly once', async () => {
    const staff = await t.token('streamer', `host-${BRAND}`, { brandId: BRAND });
    const brand = await t.token('brand', 'analyst', { brandId: BRAND });
    const id = await t.createStream('No worker', BRAND, { start: true });
    const viewer = await t.viewer('solo');
    await viewer.join(id);
    await viewer.chat(id, 'first!');

    const early = await t.http('POST', `/api/streams/${id}/summary/finalize`, { token: brand });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('conflict');

    t.clock.advance(90_000);
    await t.http('POST', `/api/streams/${id}/end`, { token: staff });
    const partial = await t.http('GET', `/api/streams/${id}/summary`, { token: brand });
    expect(partial.body).toMatchObject({ status: 'ended', final: false, uniqueViewers: 1, chatMessages: 1, durationSec: 90 });

    const first = await t.http('POST', `/api/streams/${id}/summary/finalize`, { token: brand });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ final: true, uniqueViewers: 1, chatMessages: 1, durationSec: 90 });
    t.clock.advance(60_000);
    const again = await t.http('POST', `/api/streams/${id}/summary/finalize`, { token: staff });
    expect(again.text).toBe(first.text);
    expect((await t.http('GET', `/api/streams/${id}/summary`, { token: brand })).text).toBe(first.text);
  });

  it('refuses to finalize for a viewer, a moderator or another brand', async () => {
    const id = await t.createStream('Guarded', BRAND, { start: true });
    await t.http('POST', `/api/streams/${id}/end`, { token: await t.token('streamer', `host-${BRAND}`, { brandId: BRAND }) });
    for (const token of [
      await t.token('viewer', 'solo'),
      await t.token('moderator', 'mod', { brandId: BRAND }),
      await t.token('brand', 'spy', { brandId: 'brand-other' }),
    ]) {
      expect((await t.http('POST', `/api/streams/${id}/summary/finalize`, { token })).status).toBe(403);
    }
    expect((await t.http('GET', `/api/streams/${id}/summary`, { token: await t.token('brand', 'x', { brandId: BRAND }) })).body.final).toBe(false);
  });

  it('gives the same figures after a finalize that died before storing (snapshot and indexes already written)', async () => {
    const staff = await t.token('streamer', `host-${BRAND}`, { brandId: BRAND });
    const brand = await t.token('brand', 'analyst', { brandId: BRAND });
    t.clock.advance(3600_000);
    const id = await t.createStream('Crashy', BRAND, { start: true });
    for (const sub of ['solo', 'newbie']) {
      const v = await t.viewer(sub);
      await v.join(id);
      await v.chat(id, `hello from ${sub}`);
    }
    t.clock.advance(30_000);
    await t.http('POST', `/api/streams/${id}/end`, { token: staff });
    const before = (await t.http('GET', `/api/streams/${id}/summary`, { token: brand })).body;
    expect(before).toMatchObject({ uniqueViewers: 2, returningViewers: 1, newViewers: 1, chatMessages: 2 });

    // the finalize steps up to, not including, storing the summary
    const stream = (await streamStore(t.app.ctx).get(id))!;
    const { viewers, buyers } = await computeSummary(t.app.ctx, stream, true);
    await summaryStore(t.app.ctx).snapshotViewers(id, viewers);
    await indexStream(t.app.ctx, stream, viewers, buyers);

    const after = (await t.http('POST', `/api/streams/${id}/summary/finalize`, { token: brand })).body;
    expect(after).toEqual({ ...before, final: true });
  });
});
