import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../core/src/context.js';
import type { User } from '../../core/src/identity/tokens.js';
import { createEndpoint, refusePrivate } from '../../core/src/webhooks/webhooks.service.js';
import { isPrivateAddress, privateHostReason, privateResolutionReason } from '../../core/src/webhooks/webhooks.url.js';

describe('outbound webhook SSRF guard', () => {
  it('calls loopback, private, link-local, CGNAT, multicast and unspecified addresses private, in v4, v6 and v4-mapped v6', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fc00::1', 'fd12::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(ip), ip).toBe(false);
  });

  it('refuses a URL by its host alone when it is localhost or a private literal address', () => {
    expect(privateHostReason(new URL('http://localhost:8080/x'))).toMatch(/localhost/);
    expect(privateHostReason(new URL('http://api.localhost/x'))).toMatch(/localhost/);
    expect(privateHostReason(new URL('http://[::1]/x'))).toMatch(/::1 is not a public address/);
    expect(privateHostReason(new URL('https://169.254.169.254/latest/meta-data'))).toMatch(/not a public address/);
    expect(privateHostReason(new URL('https://93.184.216.34/hook'))).toBeNull();
    expect(privateHostReason(new URL('https://hooks.example.com/hook'))).toBeNull();
  });

  it('checks at delivery what the host resolves to (a literal resolves to itself)', async () => {
    expect(await privateResolutionReason(new URL('http://127.0.0.1:9/x'))).toMatch(/not a public address/);
    expect(await privateResolutionReason(new URL('http://8.8.8.8/x'))).toBeNull();
  });
});

describe('registering an endpoint in production', () => {
  const ctxOf = (config: Record<string, unknown>) => ({ config: { NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_URLS: false, ...config } }) as unknown as AppContext;
  const admin: User = { id: 'root', role: 'admin', name: 'root' };

  it('refuses a loopback or private URL unless WEBHOOK_ALLOW_PRIVATE_URLS', async () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://10.0.0.5/hook', 'http://[::1]/hook']) {
      await expect(createEndpoint(ctxOf({}), admin, 'brand-a', { url, events: ['stream.started'] }), url).rejects.toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/WEBHOOK_ALLOW_PRIVATE_URLS/) });
    }
    expect(refusePrivate(ctxOf({ WEBHOOK_ALLOW_PRIVATE_URLS: true }))).toBe(false);
    expect(refusePrivate(ctxOf({ NODE_ENV: 'development' }))).toBe(false);
    expect(refusePrivate(ctxOf({}))).toBe(true);
  });
});
