import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOTS, launchForPages, newPage } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { sendMessage } from '../../core/src/chat/chat.service.js';

// The streamer limits a coupon drop and a poll to loyal viewers from the console; a viewer new to the
// brand is shown neither, and sees the untargeted drop that follows.
const BRAND = 'brand-ui-aud';
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

describe('targeting from the console', () => {
  it('drops a coupon and starts a poll for loyal viewers only', { timeout: 60_000 }, async () => {
    const streamId = await t.createStream('Thank-you night', BRAND, { start: true });
    const newbie = await t.joinedViewer(streamId, 'newbie');
    const dropped: string[] = [];
    const polls: string[] = [];
    newbie.on('coupon:dropped', (d) => dropped.push(d.title));
    newbie.on('poll:started', (p) => polls.push(p.question));

    const token = await t.token('streamer', 'host-aud', { brandId: BRAND });
    const page = await newPage(browser, { viewport: { width: 1280, height: 1100 } });
    await page.goto(`${t.url}/console/streams/${streamId}#token=${token}`);

    const drop = page.getByRole('region', { name: 'Coupon drop' });
    await drop.getByLabel('Coupon title').fill('Loyal 20%');
    await drop.getByText('Who can take part (nothing ticked: everyone)').click();
    await drop.getByRole('checkbox', { name: 'loyal' }).check();
    await drop.getByRole('button', { name: 'Drop coupons' }).click();
    await drop.getByText('For loyal').waitFor();

    const poll = page.getByRole('region', { name: 'Poll' });
    await poll.getByLabel('Question').fill('Which colour next?');
    await poll.getByLabel('Option 1').fill('Red');
    await poll.getByLabel('Option 2').fill('Blue');
    await poll.getByText('Who can take part (nothing ticked: everyone)').click();
    await poll.getByRole('checkbox', { name: 'loyal' }).check();
    await poll.getByRole('button', { name: 'Start poll' }).click();
    await poll.getByText('Which colour next?').waitFor();
    await page.screenshot({ path: `${SHOTS}/console-audience.png`, fullPage: true });

    // an untargeted drop after them reaches the newcomer, and is the only one they were shown
    const everyone = new Promise<void>((resolve) => newbie.on('coupon:dropped', (d) => d.title === 'Everyone 5%' && resolve()));
    await drop.getByLabel('Coupon title').fill('Everyone 5%');
    await drop.getByRole('checkbox', { name: 'loyal' }).uncheck();
    await drop.getByRole('button', { name: 'Drop coupons' }).click();
    await everyone;
    expect(dropped).toEqual(['Everyone 5%']);
    expect(polls).toEqual([]);
    const again = await newbie.join(streamId);
    expect(again.drops.map((d) => d.title)).toEqual(['Everyone 5%']);
    expect(again.poll).toBeUndefined();
    await page.context().close();
  });
});

describe('earlier chat in the console', () => {
  it('a moderator who opens the console late loads the earlier messages and bans from up the feed without losing their place', { timeout: 60_000 }, async () => {
    const streamId = await t.createStream('Late shift', BRAND, { start: true });
    // 45 viewers said something before the moderator came in (one of them markup)
    for (let i = 1; i <= 45; i++) {
      const viewer = { id: `talker-${i}`, role: 'viewer' as const, name: `Talker ${i}` };
      await sendMessage(t.app.ctx, viewer, streamId, i === 4 ? '<img src=x onerror=alert(4)>' : `line ${i}`, Date.now());
    }
    const token = await t.token('moderator', 'mod-late', { brandId: BRAND });
    const page = await newPage(browser, { viewport: { width: 1280, height: 1100 } });
    await page.goto(`${t.url}/console/streams/${streamId}#token=${token}`);
    const feed = page.getByRole('log', { name: 'Chat' });
    const texts = () => feed.locator('li .text').allTextContents();
    await feed.getByText('line 45', { exact: true }).waitFor();
    expect(await texts()).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 26}`));

    await feed.getByRole('button', { name: 'Earlier messages' }).click();
    await feed.getByText('line 1', { exact: true }).waitFor();
    expect(await texts()).toEqual(Array.from({ length: 45 }, (_, i) => (i === 3 ? '<img src=x onerror=alert(4)>' : `line ${i + 1}`)));
    expect(await feed.getByRole('button', { name: 'Earlier messages' }).count()).toBe(0);
    const inView = async (text: string) => {
      const [box, item] = [await feed.boundingBox(), await feed.getByText(text, { exact: true }).boundingBox()];
      return !!box && !!item && item.y >= box.y - 1 && item.y + item.height <= box.y + box.height + 1;
    };
    expect(await inView('line 26')).toBe(true);

    // the markup talker is banned from where the moderator reads; the feed stays there
    await feed.getByText('line 3', { exact: true }).scrollIntoViewIfNeeded();
    await page.getByRole('button', { name: 'Ban Talker 4', exact: true }).click();
    await page.getByText('Talker 4 is banned.', { exact: true }).waitFor();
    expect(await inView('line 3')).toBe(true);
    await sendMessage(t.app.ctx, { id: 'talker-46', role: 'viewer', name: 'Talker 46' }, streamId, 'line 46', Date.now());
    await feed.getByText('line 46', { exact: true }).waitFor({ state: 'attached' });
    expect(await inView('line 3')).toBe(true);
    await page.close();
  });
});
