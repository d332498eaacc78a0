import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { SHOTS, launchForPages, newPage } from '../helpers/browser.js';
import { startTestApp, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';

// The streamer sees, while live, which product tonight's viewers clicked and bought in an earlier stream,
// and pins it from the Suggestions box.
const BRAND = 'brand-ui-sug';
const SCARF = { id: 'scarf-red', title: 'Red scarf <script>alert(1)</script>', price: 25, currency: 'EUR' };
const HAT = { id: 'hat-blue', title: 'Blue hat', price: 15, currency: 'EUR' };
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp({}, { clock: { now: () => Date.now() } });
  browser = await launchForPages();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the console suggests the next product to pin', () => {
  it('lists what tonight\'s viewers bought and clicked before, and pins it in one click', { timeout: 60_000 }, async () => {
    const host = await t.streamer('host-sug', BRAND);
    const brandToken = await t.token('brand', 'analyst', { brandId: BRAND });
    const earlier = await t.createStream('Last week', BRAND, { start: true });
    await host.join(earlier);
    await host.pinProduct(earlier, SCARF);
    await host.pinProduct(earlier, HAT);
    for (const sub of ['ann', 'ben']) {
      const v = await t.joinedViewer(earlier, sub);
      await v.clickProduct(earlier, SCARF.id);
      v.close();
    }
    const raw = JSON.stringify({ orderId: 'ui-sug-1', viewerId: 'ann', amount: 25, currency: 'EUR', streamId: earlier, productIds: [SCARF.id] });
    expect((await t.http('POST', '/api/webhooks/orders', { raw, headers: { 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, raw) } })).status).toBe(200);
    await host.request('stream:end', { streamId: earlier });
    expect((await t.http('POST', `/api/streams/${earlier}/summary/finalize`, { token: brandToken })).status).toBe(200);

    const tonight = await t.createStream('Tonight', BRAND, { start: true });
    await host.join(tonight);
    await host.pinProduct(tonight, HAT);
    const ann = await t.joinedViewer(tonight, 'ann');
    await t.joinedViewer(tonight, 'ben');
    const pinned = new Promise<string | undefined>((resolve) => ann.on('product:pinned', (e) => resolve(e.product?.id)));

    const hostToken = await t.token('streamer', 'host-sug', { brandId: BRAND });
    const page = await newPage(browser, { viewport: { width: 1280, height: 1000 } });
    await page.goto(`${t.url}/console/streams/${tonight}#token=${hostToken}`);
    const box = page.getByRole('region', { name: 'Suggestions' });
    await box.getByText(SCARF.title).waitFor();
    await box.getByText("Bought by 1 and clicked by 2 of tonight's 2 viewers before.").waitFor();
    await box.getByText("For tonight's 2 viewers, from the brand's previous stream.").waitFor();
    expect(await box.getByText('Blue hat').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/console-suggestions.png`, fullPage: true });
    await box.getByRole('button', { name: 'Pin it' }).click();
    expect(await pinned).toBe(SCARF.id);
    await page.getByRole('region', { name: 'Product' }).getByText(SCARF.title).waitFor();
    await page.context().close();
  });
});
