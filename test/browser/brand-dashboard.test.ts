import type { Job } from 'bullmq';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamerClient, ViewerClient } from '@stickyroom/sdk';
import { createLogger } from '../../core/src/logger.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { SHOTS, axeScript, launchForPages, newPage } from '../helpers/browser.js';
import { startTestApp, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';

// A brand team opens its page over three weekly streams: trends with flags, who came back, the flow
// between buyer tiers, what the coupon drop was worth, the leaderboard, and a link to each stream.
const BRAND = 'brand-ui-rep';
const WEEK = 7 * 24 * 3600_000;
const T0 = Date.UTC(2026, 5, 1, 18, 0, 0);
let t: TestApp;
let worker: RunningWorker;
let browser: Browser;
let host: StreamerClient;
let axeSource = '';
const streams: string[] = [];

beforeAll(async () => {
  axeSource = await axeScript();
  // ten minutes of heartbeats take a moment of real time: above the per-second event cap
  t = await startTestApp({ EVENT_RATE_LIMIT: '1000' });
  t.clock.set(T0);
  worker = startWorker({ config: t.config, log: createLogger('silent', 'test-worker'), clock: t.clock });
  host = await t.streamer(`host-${BRAND}`, BRAND);
  browser = await launchForPages();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await t?.close();
});

function jobsDone(streamId: string): Promise<void> {
  const left = new Set(['stream.finalize', 'rollup']);
  return new Promise((resolve, reject) => {
    const off = () => (worker.worker.off('completed', done), worker.worker.off('failed', failed));
    const done = (job: Job) => {
      if (job.data.streamId !== streamId) return;
      left.delete(job.data.type);
      if (left.size === 0) (off(), resolve());
    };
    const failed = (job: Job | undefined, err: Error) => {
      if (job?.data.streamId === streamId) (off(), reject(err));
    };
    worker.worker.on('completed', done);
    worker.worker.on('failed', failed);
  });
}

async function order(orderId: string, viewerId: string, amount: number, streamId: string): Promise<void> {
  const raw = JSON.stringify({ orderId, viewerId, amount, currency: 'EUR', streamId });
  const res = await t.http('POST', '/api/webhooks/orders', { raw, headers: { 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, raw) } });
  expect(res.status, res.text).toBe(200);
}

/** One weekly stream: who watches, who clicks, who claims, who buys. */
async function week(n: number, who: string[], opts: { buyers: [string, number][]; drop?: boolean }): Promise<void> {
  t.clock.set(T0 + n * WEEK);
  const id = await t.createStream(`Week ${n + 1} <script>alert(${n})</script>`, BRAND, { start: true });
  streams.push(id);
  await host.join(id);
  await host.pinProduct(id, { id: 'scarf', title: 'Scarf', price: 20, currency: 'EUR' });
  const viewers: ViewerClient[] = [];
  for (const sub of who) viewers.push(await t.joinedViewer(id, sub));
  await viewers[0]!.clickProduct(id, 'scarf');
  if (opts.drop) {
    const { drop } = await host.request('coupon:drop', { streamId: id, title: 'Ten off', discount: { type: 'amount', value: 10 }, quantity: 5, durationSec: 60 });
    await viewers[1]!.request('coupon:claim', { dropId: drop.id });
  }
  // ten minutes of heartbeats, every 15 s as the SDK sends them
  for (let beat = 1; beat <= 40; beat++) {
    t.clock.advance(15_000);
    await Promise.all(viewers.map((v) => v.request('presence:heartbeat', { streamId: id, visible: true })));
  }
  for (const [i, [viewer, amount]] of opts.buyers.entries()) await order(`rep-${n}-${i}`, viewer, amount, id);
  const done = jobsDone(id);
  await host.request('stream:end', { streamId: id });
  await done;
  for (const v of viewers) v.close();
}

async function openPage(path: string): Promise<Page> {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await page.goto(t.url + path);
  return page;
}

describe("the brand's page", () => {
  it('shows the brand over three streams, each figure where a brand team looks for it', { timeout: 120_000 }, async () => {
    await week(0, ['ann', 'bob', 'cat', 'dan'], { buyers: [['ann', 30]] });
    await week(1, ['ann', 'bob', 'eve'], { buyers: [['ann', 20]], drop: true });
    await week(2, ['ann', 'eve', 'fay'], { buyers: [['eve', 50]] });

    const token = await t.token('brand', 'analyst', { brandId: BRAND });
    const page = await openPage(`/dashboard#token=${token}`);
    await page.getByRole('link', { name: 'The brand over time: trends, cohorts, mechanics →' }).click();
    expect(new URL(page.url()).pathname).toBe(`/dashboard/brands/${BRAND}`);
    await page.getByRole('heading', { name: `${BRAND}: is the audience getting stickier?` }).waitFor();

    const table = page.getByRole('region', { name: 'Streams' });
    for (let n = 0; n < 3; n++) await table.getByRole('link', { name: `Week ${n + 1} <script>alert(${n})</script>` }).waitFor();
    expect(await page.locator('figure[data-figure]').count()).toBe(10);

    // the first week's four viewers: two came the week after, one the week after that
    const cohorts = page.getByRole('region', { name: 'Who comes back' });
    const first = cohorts.getByRole('row', { name: /^Week 1/ });
    await expect.poll(() => first.getByRole('cell').allInnerTexts()).toEqual(['4', '●', '50%', '25%']);

    const flow = page.getByRole('region', { name: 'Flow between tiers and segments' });
    await flow.getByRole('columnheader', { name: 'Repeat buyer' }).first().waitFor();
    const mechanics = page.getByRole('region', { name: 'What each mechanic is worth' });
    await mechanics.getByText('Observational comparisons, not experiments', { exact: false }).waitFor();
    // the coupon drop of week 2 and the three product pins are in the mechanic table
    await mechanics.getByRole('row', { name: /^Coupon drop/ }).waitFor();
    await mechanics.getByRole('row', { name: /^Product pin/ }).waitFor();

    const points = page.getByRole('region', { name: 'Points economy' });
    await points.getByRole('row', { name: /^Points issued/ }).waitFor();
    const board = page.getByRole('region', { name: 'Leaderboard' });
    await board.getByRole('cell', { name: 'ann', exact: true }).waitFor();
    // ann bought 30 + 20: her lifetime value is on her row
    await board.getByRole('row', { name: /^ann .* 50$/ }).waitFor();

    await page.evaluate(axeSource);
    const problems = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> } }).axe;
      const { violations } = await axe.run();
      return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    });
    expect(problems).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/brand-dashboard.png`, fullPage: true });

    await table.getByRole('link', { name: 'Week 2 <script>alert(1)</script>' }).click();
    expect(new URL(page.url()).pathname).toBe(`/dashboard/streams/${streams[1]}`);
    await page.getByRole('heading', { name: 'Week 2 <script>alert(1)</script>' }).waitFor();
  });

  it('is refused for another brand\'s token', async () => {
    const page = await openPage(`/dashboard/brands/${BRAND}#token=${await t.token('brand', 'spy', { brandId: 'brand-other' })}`);
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Token').waitFor();
  });
});
