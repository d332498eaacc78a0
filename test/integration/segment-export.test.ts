import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { record, seedStream } from './rollup-fixtures.js';

const DAY = 86_400_000;
const BRAND = 'brand-x';
let t: TestApp;
let brandToken: string;

beforeAll(async () => {
  t = await startTestApp();
  brandToken = await t.token('brand', 'brand-x-team', { brandId: BRAND });
});
afterAll(async () => {
  await t.close();
});

describe('segment export (for the brand\'s CRM)', () => {
  it('exports every viewer of a segment, page after page, as ndjson and csv', async () => {
    // 1,200 viewers last seen 90 days ago (dormant), made by the scoring rollup; more than one export page
    const past = 'ex-old';
    const at = t.clock.now() - 90 * DAY;
    await seedStream(t.app.ctx, { id: past, brandId: BRAND, startedAt: at });
    const ids = Array.from({ length: 1200 }, (_, i) => `ex-d${i}`);
    await record(t.app.ctx.redis, t.app.ctx.keys, ids.map((viewerId) => ({ streamId: past, viewerId, metric: 'watchMs' as const, n: 600_000, at: at + 1000 })));
    await rollupStream(t.app.ctx, past);

    const res = await t.http('GET', `/api/brands/${BRAND}/segments/dormant/viewers?format=ndjson`, { token: brandToken });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const rows = res.text.trim().split('\n').map((l) => JSON.parse(l) as { viewerId: string; segment: string });
    expect(rows.map((r) => r.viewerId).sort()).toEqual([...ids].sort());
    for (const r of rows) expect(r.segment).toBe('dormant');

    const csv = await t.http('GET', `/api/brands/${BRAND}/segments/dormant/viewers?format=csv`, { token: brandToken });
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('viewerId,score,segment,lastStreamAt,streams');
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual([...ids].sort());

    const other = await t.token('brand', 'other-team', { brandId: 'brand-other' });
    expect((await t.http('GET', `/api/brands/${BRAND}/segments/dormant/viewers`, { token: other })).status).toBe(403);
    expect((await t.http('GET', `/api/brands/${BRAND}/segments/vip/viewers`, { token: brandToken })).status).toBe(400);
  });
});
