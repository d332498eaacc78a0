import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPoints } from '../../core/src/points/points.service.js';
import { sendMessage } from '../../core/src/chat/chat.service.js';
import { SHOTS, axeScript, launchForPages, newPage } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

// A streamer runs a poll from the console and sets the post-stream survey; two viewers on phones vote in the
// widget, one spends their points on a coupon, and both are asked the survey when the stream ends.
const BRAND = 'brand-eng';
let t: TestApp;
let browser: Browser;
let axeSource = '';
const policyViolations: string[] = [];

beforeAll(async () => {
  axeSource = await axeScript();
  // streams that set no survey ask everyone who joined (the default is 5 minutes watched)
  t = await startTestApp({ SURVEY_MIN_WATCH_MIN: '0' }, { clock: { now: () => Date.now() } });
  browser = await launchForPages();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function openPage(path: string, width = 1280): Promise<Page> {
  const page = await newPage(browser, { viewport: { width, height: 800 }, locale: 'en-US' });
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) policyViolations.push(m.text());
  });
  await page.goto(t.url + path);
  return page;
}

/** axe-core's serious and critical findings on the page, shadow roots included. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const { violations } = await axe.run();
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}

describe('polls, the survey and points rewards in the widget', () => {
  it('a poll voted in two widgets, a coupon bought with points, the survey answered after the end', { timeout: 120_000 }, async () => {
    const brandToken = await t.token('brand', 'team-eng', { brandId: BRAND });
    const create = (body: Record<string, unknown>) => t.http('POST', `/api/brands/${BRAND}/rewards`, { token: brandToken, body });
    expect((await create({ title: '10% off coupon', kind: 'coupon', cost: 100, stock: 5 })).status).toBe(201);
    expect((await create({ title: 'Canvas tote', kind: 'gift', cost: 5000, stock: 3 })).status).toBe(201);
    // Alice earned points with the brand before (an order), through the product's own points service.
    await grantPoints(t.app.ctx, { brandId: BRAND, viewerId: 'alice', streamId: 'earlier', points: 250, source: 'order', sourceId: 'order-1' });

    // The streamer creates and starts a stream, and asks everyone who joined (0 minutes) in the survey.
    const hostToken = await t.token('streamer', 'host-eng', { brandId: BRAND, name: 'Host' });
    const host = await openPage(`/console#token=${hostToken}`);
    await host.getByLabel('Stream title').fill('Poll night');
    await host.getByRole('button', { name: 'Create stream' }).click();
    await host.getByRole('button', { name: 'Start stream' }).click();
    await expect.poll(() => host.getByText('Live', { exact: true }).count()).toBeGreaterThan(0);
    const streamId = host.url().split('/').pop()!;
    const surveyPanel = host.getByRole('region', { name: 'Post-stream survey' });
    await surveyPanel.getByText('Post-stream survey').click();
    await surveyPanel.getByLabel('Minimum watch (minutes)').fill('0');
    await surveyPanel.getByLabel('Survey question').fill('Would you tell a friend about Poll night?');
    await surveyPanel.getByRole('button', { name: 'Save survey settings' }).click();
    await surveyPanel.getByText('Survey settings saved.').waitFor();

    // Two viewers on phones.
    const viewer = async (sub: string, name: string) => openPage(`/demo/streams/${streamId}#token=${await t.token('viewer', sub, { name })}`, 360);
    const alice = await viewer('alice', 'Alice');
    const bob = await viewer('bob', 'Bob');
    await alice.getByText('250 points', { exact: true }).waitFor();
    await bob.getByPlaceholder('Say something…').waitFor();

    // A poll of three options from the console.
    const poll = host.getByRole('region', { name: 'Poll' });
    await poll.getByLabel('Poll question').fill('Which colour next week?');
    await poll.getByLabel('Option 1').fill('Olive');
    await poll.getByLabel('Option 2').fill('Sand <b>beige</b>');
    await poll.getByRole('button', { name: 'Add option' }).click();
    await poll.getByLabel('Option 3').fill('Black');
    await poll.getByLabel('Points for voting (optional)').fill('5');
    await poll.getByRole('button', { name: 'Start poll' }).click();

    const alicePoll = alice.getByRole('region', { name: 'Poll: Which colour next week?' });
    const bobPoll = bob.getByRole('region', { name: 'Poll: Which colour next week?' });
    await alicePoll.getByRole('button', { name: 'Sand <b>beige</b>' }).click();
    await alicePoll.getByText('You voted for Sand <b>beige</b>. You earned 5 points.').waitFor();
    await bobPoll.getByRole('button', { name: 'Olive' }).click();
    await bobPoll.getByText('You voted for Olive.', { exact: false }).waitFor();
    // both see the running results move to two votes, as does the console
    await alicePoll.getByText('2 viewers voted').waitFor();
    await bobPoll.getByText('2 viewers voted').waitFor();
    await alicePoll.getByText('1 vote · 50%').first().waitFor();
    await alicePoll.getByText('0 votes · 0%').waitFor();
    await poll.getByText('Olive: 1 vote').waitFor();
    await poll.getByText('Black: 0 votes').waitFor();
    expect(await alicePoll.getByRole('button', { name: 'Olive' }).count()).toBe(0); // one vote, final
    // a viewer who arrives now finds the open poll in the join snapshot, with its votes so far
    const carol = await viewer('carol', 'Carol');
    const carolPoll = carol.getByRole('region', { name: 'Poll: Which colour next week?' });
    await carolPoll.getByText('2 viewers voted').waitFor();
    await carolPoll.getByRole('button', { name: 'Black' }).click();
    await alicePoll.getByText('3 viewers voted').waitFor();
    await carol.close();
    await alice.screenshot({ path: `${SHOTS}/widget-poll.png`, fullPage: true });
    expect(await accessibilityProblems(alice)).toEqual([]);

    await poll.getByRole('button', { name: 'Close poll now' }).click();
    await poll.getByText('Final result: Which colour next week?').waitFor();
    await alicePoll.getByText('Final result').waitFor();
    await bobPoll.getByText('Final result').waitFor();
    await bobPoll.getByText('1 vote · 33%').first().waitFor();
    await poll.getByText('Black: 1 vote').waitFor();

    // Rewards: Alice (255 points) may redeem the coupon but not the tote, and sees her code.
    await alice.getByRole('button', { name: 'Rewards' }).click();
    const rewards = alice.getByRole('region', { name: 'Rewards' });
    await rewards.getByText('You have 255 points to spend.').waitFor();
    await rewards.getByText('You need 4,745 more points.').waitFor();
    expect(await rewards.getByRole('button', { name: 'Redeem Canvas tote' }).isDisabled()).toBe(true);
    await rewards.getByRole('button', { name: 'Redeem 10% off coupon' }).click();
    const code = await rewards.locator('code').first().textContent();
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await rewards.getByText('You have 155 points to spend.').waitFor();
    await rewards.getByText('4 left', { exact: false }).waitFor();
    await alice.getByText('155 points', { exact: true }).waitFor();
    await alice.screenshot({ path: `${SHOTS}/widget-rewards.png`, fullPage: true });
    // Bob has no points: the coupon is out of reach, with why
    await bob.getByRole('button', { name: 'Rewards' }).click();
    await bob.getByRole('region', { name: 'Rewards' }).getByText('You need 95 more points.').waitFor();
    expect(await bob.getByRole('button', { name: 'Redeem 10% off coupon' }).isDisabled()).toBe(true);
    expect(await accessibilityProblems(alice)).toEqual([]);

    // The end: the survey appears in both widgets.
    await host.getByRole('button', { name: 'End stream' }).click();
    const aliceSurvey = alice.getByRole('region', { name: 'Quick survey' });
    const bobSurvey = bob.getByRole('region', { name: 'Quick survey' });
    await aliceSurvey.getByText('Would you tell a friend about Poll night?').waitFor();
    await bobSurvey.getByRole('radiogroup', { name: 'Would you tell a friend about Poll night?' }).waitFor();
    expect(await bobSurvey.getByRole('radio').count()).toBe(11);
    await bobSurvey.getByRole('button', { name: 'Send answer' }).click();
    await bobSurvey.getByText('Pick a score from 0 to 10 first.').waitFor();
    await bob.screenshot({ path: `${SHOTS}/widget-survey.png`, fullPage: true });
    expect(await accessibilityProblems(bob)).toEqual([]);

    await aliceSurvey.getByRole('radio', { name: '9' }).check();
    await aliceSurvey.getByLabel('Comment (optional)').fill('Loved the <i>poll</i>');
    await aliceSurvey.getByRole('button', { name: 'Send answer' }).click();
    await alice.getByText('Thank you! Your answer was saved.').waitFor();
    const stored = await t.http('GET', `/api/streams/${streamId}/survey`, { token: hostToken });
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ responses: 1, promoters: 1, passives: 0, answers: [{ viewerId: 'alice', score: 9, comment: 'Loved the <i>poll</i>' }] });

    // Bob comes back to the ended stream later: the survey still awaits him.
    await bob.reload();
    await bob.getByRole('region', { name: 'Quick survey' }).getByRole('radio', { name: '10', exact: false }).check();
    await bob.getByRole('button', { name: 'Send answer' }).click();
    await bob.getByText('Thank you! Your answer was saved.').waitFor();
    expect((await t.http('GET', `/api/streams/${streamId}/survey`, { token: hostToken })).body).toMatchObject({ responses: 2, promoters: 2, nps: 100 });
    expect(policyViolations).toEqual([]);
  });

  it('in Chinese: the default survey question and the refusals in words, for a viewer who comes back later', { timeout: 60_000 }, async () => {
    const streamId = await t.createStream('晚场', BRAND, { start: true });
    const host = await t.streamer('host-zh', BRAND);
    await host.join(streamId);
    const chenSdk = await t.joinedViewer(streamId, 'chen');
    await host.end(streamId);
    await grantPoints(t.app.ctx, { brandId: BRAND, viewerId: 'chen', streamId: 'earlier', points: 300, source: 'order', sourceId: 'order-chen' });
    const last = await t.http('POST', `/api/brands/${BRAND}/rewards`, { token: await t.token('brand', 'team-eng', { brandId: BRAND }), body: { title: '最后一个', kind: 'gift', cost: 200, stock: 1 } });
    expect(last.status).toBe(201);

    // Chen opens the ended stream later: the survey awaits, in Chinese.
    const token = await t.token('viewer', 'chen', { name: '陈' });
    const chen = await openPage(`/demo/streams/${streamId}?lang=zh-CN#token=${token}`, 360);
    const survey = chen.getByRole('region', { name: '小调查' });
    await survey.getByRole('radiogroup', { name: '你有多大可能把这场直播推荐给朋友？' }).waitFor();
    // answered meanwhile from another device: the page says so in words
    await chenSdk.answerSurvey(streamId, 8);
    await survey.getByRole('radio', { name: '7' }).check();
    await survey.getByRole('button', { name: '提交回答' }).click();
    await chen.getByText('你已经回答过这份调查了。').waitFor();

    // The last unit of a reward goes to someone else first: sold out, in words.
    await chen.getByRole('button', { name: '积分兑换' }).click();
    const rewards = chen.getByRole('region', { name: '积分兑换' });
    await rewards.getByRole('button', { name: '兑换 最后一个' }).waitFor();
    const rival = await t.viewer('rival');
    await grantPoints(t.app.ctx, { brandId: BRAND, viewerId: 'rival', streamId: 'earlier', points: 300, source: 'order', sourceId: 'order-rival' });
    await rival.redeem(last.body.id as string);
    await rewards.getByRole('button', { name: '兑换 最后一个' }).click();
    await rewards.getByText('这个奖励已兑完。').waitFor();
    expect(await rewards.getByRole('button', { name: '兑换 最后一个' }).isDisabled()).toBe(true);
    await chen.screenshot({ path: `${SHOTS}/widget-zh-CN-survey-rewards.png`, fullPage: true });
    chenSdk.close();
    rival.close();
    host.close();
  });
});

describe('earlier chat in the widget', () => {
  it('shows the newest 20 messages on joining and loads the earlier ones above them, keeping the reader in place', { timeout: 60_000 }, async () => {
    const streamId = await t.createStream('Chatty', BRAND, { start: true });
    const host = { id: 'host-chat', role: 'streamer' as const, brandId: BRAND, name: 'Host' };
    // 45 messages before anyone opens the page, through the product's own chat service (one is markup)
    for (let i = 1; i <= 45; i++) await sendMessage(t.app.ctx, host, streamId, i === 3 ? '<script>alert(3)</script>' : `message ${i}`, Date.now());
    const page = await openPage(`/demo/streams/${streamId}#token=${await t.token('viewer', 'reader', { name: 'Reader' })}`, 360);
    const log = page.getByRole('log', { name: 'Chat' });
    const texts = () => log.locator('li .text').allTextContents();
    await log.getByText('message 45', { exact: true }).waitFor();
    expect(await texts()).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i + 26}`));

    // the reader scrolls up and asks for more: the 25 earlier ones go above, and what they read stays in view
    const earlier = log.getByRole('button', { name: 'Earlier messages' });
    await earlier.click();
    await log.getByText('message 1', { exact: true }).waitFor();
    const all = Array.from({ length: 45 }, (_, i) => (i === 2 ? '<script>alert(3)</script>' : `message ${i + 1}`));
    expect(await texts()).toEqual(all);
    expect(await earlier.count()).toBe(0); // nothing older: the button is gone
    const inView = async (text: string) => {
      const [box, item] = [await log.boundingBox(), await log.getByText(text, { exact: true }).boundingBox()];
      return !!box && !!item && item.y >= box.y - 1 && item.y + item.height <= box.y + box.height + 1;
    };
    expect(await inView('message 26')).toBe(true);

    // a live message while they read up there arrives without pulling them down to it
    await sendMessage(t.app.ctx, host, streamId, 'message 46', Date.now());
    await log.getByText('message 46', { exact: true }).waitFor({ state: 'attached' });
    expect(await inView('message 26')).toBe(true);
    expect(await inView('message 46')).toBe(false);
    // their own message brings them back to the newest
    await page.getByPlaceholder('Say something…').fill('back to the bottom');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await log.getByText('back to the bottom', { exact: true }).waitFor();
    await expect.poll(() => inView('back to the bottom')).toBe(true);
    expect(await inView('message 26')).toBe(false);
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(policyViolations).toEqual([]);
    await page.close();
  });
});
