import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchForPages, newPage } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

// The brand team manages its points rewards in the console; a viewer sees them through the SDK.
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

async function openConsole(token: string): Promise<Page> {
  const page = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await page.goto(`${t.url}/console#token=${token}`);
  return page;
}

describe('the console rewards panel', () => {
  it('lists, adds, deactivates and reactivates rewards; a streamer reads them but may not add', { timeout: 60_000 }, async () => {
    const team = await openConsole(await t.token('brand', 'team-ui', { brandId: 'brand-rw' }));
    const panel = team.getByRole('region', { name: 'Points rewards' });
    await panel.getByText('No rewards yet. Add one below.').waitFor();
    await panel.getByLabel('Reward', { exact: true }).fill('Canvas tote');
    await panel.getByLabel('Kind').selectOption({ label: 'Gift' });
    await panel.getByLabel('Cost (points)').fill('250');
    await panel.getByLabel('Stock').fill('20');
    await panel.getByLabel('Per viewer (optional)').fill('1');
    await panel.getByRole('button', { name: 'Add reward' }).click();
    await panel.getByText('Reward added.').waitFor();
    await panel.getByText('250 points · 20 left · 0 redeemed').waitFor();

    const viewer = await t.viewer('rw-viewer');
    const offered = await viewer.rewards('brand-rw');
    expect(offered.rewards).toMatchObject([{ title: 'Canvas tote', kind: 'gift', cost: 250, stock: 20, perViewer: 1, active: true }]);

    await panel.getByRole('button', { name: 'Deactivate Canvas tote' }).click();
    await panel.getByText('Inactive').waitFor();
    expect((await viewer.rewards('brand-rw')).rewards).toEqual([]);
    await panel.getByRole('button', { name: 'Activate Canvas tote' }).click();
    await panel.getByRole('button', { name: 'Deactivate Canvas tote' }).waitFor();
    expect((await viewer.rewards('brand-rw')).rewards).toHaveLength(1);

    const host = await openConsole(await t.token('streamer', 'host-rw', { brandId: 'brand-rw' }));
    const hostPanel = host.getByRole('region', { name: 'Points rewards' });
    await hostPanel.getByText('Canvas tote').waitFor();
    await hostPanel.getByLabel('Reward', { exact: true }).fill('Not mine to add');
    await hostPanel.getByRole('button', { name: 'Add reward' }).click();
    await hostPanel.getByText('You are not allowed to do that.').waitFor();
  });
});
