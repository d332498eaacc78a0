import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, type WebManifest } from '../../scripts/build-web.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let prod: TestApp;
let manifest: WebManifest;
beforeAll(async () => {
  manifest = await buildWeb();
  t = await startTestApp({ CORS_ORIGINS: 'https://shop.example' });
  prod = await startTestApp({ NODE_ENV: 'production', METRICS_TOKEN: 'metrics-token-0123456789abcdefghijkl', JWT_SECRET: 'a-production-secret-0123456789abcdef', WEBHOOK_SECRET: 'a-webhook-secret-0123456789abcdefgh' });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await prod?.close();
});

describe('pages and the widget over HTTP', () => {
  it('serves the console with a strict policy: no inline script or style, no framing, no sniffing', async () => {
    for (const path of ['/console', '/console/streams/abc123']) {
      const res = await t.http('GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.text).not.toMatch(/<script>|<style>| style=/);
      expect(res.text).toContain(`/assets/${manifest.console!.file}`);
    }
  });

  it('serves the demo in development only', async () => {
    expect((await t.http('GET', '/demo/streams/abc123')).status).toBe(200);
    expect((await t.http('GET', '/demo/streams/abc123')).headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await prod.http('GET', '/demo/streams/abc123')).status).toBe(404);
    expect((await prod.http('POST', '/demo/token')).status).toBe(404);
    const guest = await t.http('POST', '/demo/token');
    expect(guest.status).toBe(200);
    expect((await t.tokens.verify(guest.body.token)).role).toBe('viewer');
  });

  it('lets a shop page load the widget and the SDK: CORP cross-origin, CORS for CORS_ORIGINS, cached', async () => {
    const widget = await t.http('GET', '/widget/stickyroom-room.js', { headers: { origin: 'https://shop.example' } });
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toContain('text/javascript');
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(widget.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(widget.headers.get('cache-control')).toContain('max-age=300');
    expect((await t.http('GET', '/sdk/stickyroom.js')).status).toBe(200);

    const asset = await t.http('GET', `/assets/${manifest.widget!.file}`, { headers: { origin: 'https://elsewhere.example' } });
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(asset.headers.get('access-control-allow-origin')).toBeNull();
    expect(asset.text).toBe(widget.text);
  });

  it('answers 404 for any asset the build did not make', async () => {
    for (const path of ['/assets/manifest.json', '/assets/..%2F..%2Fpackage.json', '/assets/widget.js']) {
      expect((await t.http('GET', path)).status).toBe(404);
    }
  });
});
