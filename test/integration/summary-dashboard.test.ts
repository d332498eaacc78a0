import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMoment, recordActivity } from '../../core/src/activity/activity.store.js';
import { buildWeb } from '../../scripts/build-web.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

// The dashboard page as a brand team opens it: Debian's Chromium, the token in the URL fragment.
const BRAND = 'brand-dash';
let t: TestApp;
let browser: Browser;
let streamId: string;
let token: string;

beforeAll(async () => {
  await buildWeb();
  t = await startTestApp();
  browser = await launchChromium();
  token = await t.token('brand', 'analyst', { brandId: BRAND });
  streamId = await t.createStream('Autumn <b>drop</b>', BRAND, { start: true });
  for (const id of ['v1', 'v2', 'v3']) {
    const v = await t.viewer(id);
    await v.join(streamId);
    await v.request('presence:heartbeat', { streamId, visible: true });
  }
  await (await t.viewer('v1')).join(streamId);
  const { redis, keys } = t.app.ctx;
  const now = t.clock.now();
  await recordActivity(redis, keys, { streamId, viewerId: 'v1', metric: 'chat', at: now });
  await recordActivity(redis, keys, { streamId, viewerId: 'v2', metric: 'orders', at: now });
  await addMoment(redis, keys, streamId, { at: now, kind: 'quiz', id: 'q1', label: '<img src=x>' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function open(hash: string, path = `/dashboard/streams/${streamId}`): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(t.url)) problems.push(`request to another origin: ${r.url()}`);
  });
  await page.goto(`${t.url}${path}${hash}`);
  return { page, problems };
}

describe('dashboard page', () => {
  it('shows the live summary with its charts from the token in the fragment, loading nothing from elsewhere', async () => {
    const { page, problems } = await open(`#token=${token}`);
    await page.getByRole('img', { name: 'Viewers per minute' }).waitFor();
    for (const chart of ['Chat messages per minute', 'Likes per minute', 'Coupon claims per minute', 'Orders per minute']) {
      await page.getByRole('img', { name: chart }).waitFor();
    }
    await page.getByText('Unique viewers').waitFor();
    await page.getByText('1 buyer', { exact: true }).waitFor();
    await page.getByText('1 chatter', { exact: true }).waitFor();
    // user-written text is shown as text, never run as markup
    await page.getByRole('heading', { name: 'Autumn <b>drop</b>' }).waitFor();
    await page.getByText('Quiz: <img src=x>').waitFor();
    expect(await page.locator('img').count()).toBe(0);
    await page.getByText(/Partial figures/).waitFor();
    // the token leaves the address bar at once
    expect(new URL(page.url()).hash).toBe('');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("lists the brand's streams at /dashboard", async () => {
    const { page } = await open(`#token=${token}`, '/dashboard');
    await page.getByRole('link', { name: 'Open Autumn <b>drop</b>' }).click();
    await page.getByRole('img', { name: 'Viewers per minute' }).waitFor();
    await page.close();
  });

  it('asks for a token when the one given may not read this brand', async () => {
    const other = await t.token('brand', 'spy', { brandId: 'brand-other' });
    const { page } = await open(`#token=${other}`);
    await page.getByText('You are not allowed to do that.').waitFor();
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('img', { name: 'Viewers per minute' }).waitFor();
    await page.close();
  });

  it('serves a page of its own scripts only, under a strict content security policy', async () => {
    const res = await t.http('GET', `/dashboard/streams/${streamId}`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(res.text).not.toMatch(/<script>|<style>|(src|href)="(https?:)?\/\//);
    expect((await t.http('GET', '/dashboard/streams/bad%20id')).status).toBe(404);
  });
});
