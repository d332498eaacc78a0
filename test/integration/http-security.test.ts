import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../scripts/build-web.js';
import { securityHeaders, staticAssetHeaders } from '../../server/src/http/security.js';
import { startTestApp, TEST_JWT_SECRET, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';
import { runTs } from '../helpers/process.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ METRICS_TOKEN });
});
afterAll(async () => {
  await t.close();
});

function expectApiHeaders(h: Headers, where: string) {
  expect(h.get('x-content-type-options'), where).toBe('nosniff');
  expect(h.get('x-frame-options'), where).toBe('DENY');
  expect(h.get('referrer-policy'), where).toBe('no-referrer');
  expect(h.get('content-security-policy'), where).toContain("frame-ancestors 'none'");
  expect(h.get('cross-origin-resource-policy'), where).toBe('same-origin');
  expect(h.get('x-powered-by'), where).toBeNull();
  // plain HTTP, no proxy trusted: no HSTS
  expect(h.get('strict-transport-security'), where).toBeNull();
}

describe('security headers', () => {
  it('are on every API answer: success, health, OpenAPI, and errors (401, 403, 404, 400)', async () => {
    const streamer = await t.token('streamer', 'host');
    const id = await t.createStream('Headers');
    const answers = {
      'GET /api/streams/:id': await t.http('GET', `/api/streams/${id}`, { token: streamer }),
      'GET /healthz': await t.http('GET', '/healthz'),
      'GET /readyz': await t.http('GET', '/readyz'),
      'GET /api/openapi.json': await t.http('GET', '/api/openapi.json'),
      'POST /api/streams unsigned': await t.http('POST', '/api/streams', { body: { title: 'x' } }),
      'POST /api/streams viewer': await t.http('POST', '/api/streams', { token: await t.token('viewer', 'v'), body: { title: 'x' } }),
      'GET /api/nope': await t.http('GET', '/api/nope'),
      'GET /nope': await t.http('GET', '/nope'),
      'POST /api/streams {bad': await t.http('POST', '/api/streams', { token: streamer, raw: '{bad' }),
      'POST /api/webhooks/orders unsigned': await t.http('POST', '/api/webhooks/orders', { raw: '{bad' }),
      'GET /metrics no token': await t.http('GET', '/metrics'),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]))).toEqual({
      'GET /api/streams/:id': 200,
      'GET /healthz': 200,
      'GET /readyz': 200,
      'GET /api/openapi.json': 200,
      'POST /api/streams unsigned': 401,
      'POST /api/streams viewer': 403,
      'GET /api/nope': 404,
      'GET /nope': 404,
      'POST /api/streams {bad': 400,
      'POST /api/webhooks/orders unsigned': 401,
      'GET /metrics no token': 401,
    });
    for (const [where, res] of Object.entries(answers)) expectApiHeaders(res.headers, where);
    // a 404 outside /api is JSON like the rest, not the framework's HTML page
    expect(answers['GET /nope'].body).toEqual({ error: { code: 'not_found', message: 'no route GET /nope' } });
  });

  it('leave the dashboard page its own strict CSP, with the same frame and referrer rules', async () => {
    await buildWeb();
    const res = await t.http('GET', '/dashboard/streams/abc');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.text).not.toContain('<script>');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('send HSTS only for HTTPS as Express sees it: TRUST_PROXY and X-Forwarded-Proto: https', async () => {
    const proxied = await startTestApp({ TRUST_PROXY: 'true' });
    try {
      const https = await proxied.http('GET', '/healthz', { headers: { 'x-forwarded-proto': 'https' } });
      expect(https.headers.get('strict-transport-security')).toBe('max-age=31536000');
      expect((await proxied.http('GET', '/healthz')).headers.get('strict-transport-security')).toBeNull();
    } finally {
      await proxied.close();
    }
    // without a trusted proxy the header is anyone's to send: ignored
    const spoofed = await t.http('GET', '/healthz', { headers: { 'x-forwarded-proto': 'https' } });
    expect(spoofed.headers.get('strict-transport-security')).toBeNull();
  });

  it('let a static asset route opt into cross-origin CORP (for the SDK bundle shop pages load)', async () => {
    const app = express();
    app.use(securityHeaders());
    app.get('/sdk/stickyroom.js', staticAssetHeaders({ maxAgeSec: 60 }), (_req, res) => {
      res.type('js').send('export {};');
    });
    app.get('/api/thing', (_req, res) => {
      res.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const asset = await fetch(`${base}/sdk/stickyroom.js`);
      expect(asset.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=60');
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await fetch(`${base}/api/thing`)).headers.get('cross-origin-resource-policy')).toBe('same-origin');
    } finally {
      server.close();
    }
  });
});

describe('/metrics', () => {
  it('needs Authorization: Bearer <METRICS_TOKEN> when the token is set', async () => {
    const none = await t.http('GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect((await t.http('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
    expect((await t.http('GET', '/metrics', { headers: { authorization: 'Bearer short' } })).status).toBe(401);
    expect((await t.http('GET', '/metrics', { headers: { authorization: METRICS_TOKEN } })).status).toBe(401);
    // a viewer's JWT is not the metrics token
    expect((await t.http('GET', '/metrics', { token: await t.token('viewer', 'v') })).status).toBe(401);
    const ok = await t.http('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('stickyroom_sockets');
  });

  it('is open when no token is configured (development)', async () => {
    const open = await startTestApp();
    try {
      const res = await open.http('GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toContain('stickyroom_sockets');
    } finally {
      await open.close();
    }
  });

  it('a production server without METRICS_TOKEN refuses to start and names the variable', async () => {
    const server = runTs('server/src/main.ts', {
      NODE_ENV: 'production',
      JWT_SECRET: TEST_JWT_SECRET,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      METRICS_TOKEN: '',
      PORT: '0',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    const code = await new Promise<number | null>((resolve) => server.child.once('close', resolve));
    expect(code).toBe(2);
    expect(server.output.join('\n')).toMatch(/METRICS_TOKEN: required when NODE_ENV=production/);
  });
});
