import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

// The SDK as a browser would load it: bundled, in Debian's Chromium, from a page on its own origin.
let bundle = '';
let allowedPage: Server;
let otherPage: Server;
let t: TestApp;
let browser: Browser;

function servePage(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/sdk.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>stickyroom</title><script src="/sdk.js"></script>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const origin = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  const out = await build({
    entryPoints: ['client-sdk/src/index.ts'],
    bundle: true,
    format: 'iife',
    globalName: 'Stickyroom',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  bundle = out.outputFiles[0]!.text;
  [allowedPage, otherPage] = await Promise.all([servePage(), servePage()]);
  t = await startTestApp({ CORS_ORIGINS: origin(allowedPage) });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  allowedPage?.close();
  otherPage?.close();
});

describe('the SDK in a browser', () => {
  it('joins a stream from an allowed origin and reports page visibility in its heartbeats', async () => {
    const id = await t.createStream('Browser stream', 'brand-a', { start: true });
    const beats: { visible: boolean }[] = [];
    t.app.io.on('connection', (socket) => {
      socket.onAny((event: string, payload: { visible: boolean }) => {
        if (event === 'presence:heartbeat') beats.push(payload);
      });
    });
    const token = await t.token('viewer', 'browser-viewer');
    const page = await browser.newPage();
    await page.goto(origin(allowedPage));
    const joined = await page.evaluate(
      async ({ url, token, id }) => {
        const S = (window as unknown as { Stickyroom: typeof import('@stickyroom/sdk') }).Stickyroom;
        const viewer = S.createViewerClient({ url, token });
        (window as unknown as { viewer: unknown }).viewer = viewer;
        await viewer.connect();
        const room = await viewer.join(id);
        return room.stream.status;
      },
      { url: t.url, token, id },
    );
    expect(joined).toBe('live');
    await expect.poll(() => beats.length).toBeGreaterThanOrEqual(1);
    expect(beats[0]!.visible).toBe(true);

    // the tab goes to the background: the SDK tells the server at once that the page is hidden
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(() => beats.some((b) => b.visible === false)).toBe(true);
    await page.close();
  });

  it('cannot connect from an origin that is not allowed', async () => {
    const token = await t.token('viewer', 'elsewhere');
    const page = await browser.newPage();
    await page.goto(origin(otherPage));
    const result = await page.evaluate(
      async ({ url, token }) => {
        const S = (window as unknown as { Stickyroom: typeof import('@stickyroom/sdk') }).Stickyroom;
        const viewer = S.createViewerClient({ url, token, transports: ['websocket'], socketOptions: { reconnection: false } });
        const outcome = await Promise.race([
          viewer.connect().then(() => 'connected', () => 'refused'),
          new Promise((r) => viewer.on('state', (s) => s.state !== 'connected' && s.reason && r('refused'))),
        ]);
        viewer.close();
        return outcome;
      },
      { url: t.url, token },
    );
    expect(result).toBe('refused');
    await page.close();
  });
});
