import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.js';

/** Where the browser tests leave their screenshots. */
export const SHOTS = 'test-results';

/**
 * Debian's Chromium, headless, as this machine and CI run it: no browser download, and the background
 * networking flags off (the closed network refuses those connections, many at a time).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What a test of our pages needs first: the console and widget bundles built, the screenshot folder, Chromium. */
export async function launchForPages(): Promise<Browser> {
  await buildWeb();
  await mkdir(SHOTS, { recursive: true });
  return launchChromium();
}

/** A page in a context of its own; an uncaught error in the page fails the test. */
export async function newPage(browser: Browser, options: BrowserContextOptions): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  return page;
}

/** axe-core's script, to evaluate in a page for an accessibility check. */
export function axeScript(): Promise<string> {
  return readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
}
