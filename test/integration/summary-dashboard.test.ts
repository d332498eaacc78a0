import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMoment, recordActivity } from '../../core/src/activity/activity.store.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

// The dashboard page as a brand team opens it: Debian's Chromium, the token in the URL fragment.
const BRAND = 'brand-dash';
let t: TestApp;
let browser: Browser;
let streamId: string;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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

async function open(hash: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(t.url)) problems.push(`request to another origin: ${r.url()}`);
  });
  await page.goto(`${t.url}/dashboard/streams/${streamId}${hash}`);
  return { page, problems };
}

describe('dashboard page', () => {
  it('draws the live summary with its charts from the token in the fragment, loading nothing from elsewhere', async () => {
    const { page, problems } = await open(`#token=${token}`);
    await page.waitForSelector('svg.chart[data-series="viewers"]');
    const cards = await page.$$eval('.card', (els) => els.map((e) => e.textContent ?? ''));
    expect(cards.find((c) => c.startsWith('Unique viewers'))).toContain('Unique viewers3');
    expect(cards.find((c) => c.startsWith('Orders'))).toContain('1 buyers');
    expect(await page.$$eval('svg.chart', (els) => els.map((e) => e.getAttribute('data-series')).filter(Boolean))).toEqual([
      'viewers',
      'chat',
      'likes',
      'claims',
      'orders',
    ]);
    // user-written text is shown as text, never run as markup
    expect(await page.textContent('h2')).toBe('Autumn <b>drop</b>');
    expect(await page.$('img')).toBeNull();
    expect(await page.textContent('#status')).toContain('Partial figures');
    // the token leaves the address bar at once
    expect(new URL(page.url()).hash).toBe('');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('asks for a token when the one given may not read this brand', async () => {
    const other = await t.token('brand', 'spy', { brandId: 'brand-other' });
    const { page } = await open(`#token=${other}`);
    await page.waitForSelector('#auth:not([hidden])');
    expect(await page.textContent('#status')).toContain('Not allowed');
    await page.fill('input[name=token]', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('svg.chart');
    await page.close();
  });

  it('serves a self-contained page under a strict content security policy', async () => {
    const res = await t.http('GET', `/dashboard/streams/${streamId}`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(res.text).toContain(`<script nonce="${nonce}">`);
    expect(res.text).not.toMatch(/<script[^>]+src=|(src|href)="(https?:)?\/\//);
    expect((await t.http('GET', '/dashboard/streams/bad%20id')).status).toBe(404);
  });
});
