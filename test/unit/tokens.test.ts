import { describe, expect, it } from 'vitest';
import { SignJWT, type JWTPayload } from 'jose';
import { TokenService } from '../../core/src/identity/tokens.js';
import { formatDuration, parseDuration } from '../../core/src/duration.js';

const SECRET = 'unit-secret-0123456789abcdef';
const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const nowSec = NOW / 1000;

function mint(claims: JWTPayload): Promise<string> {
  return new SignJWT({ role: 'viewer', sub: 'u1', ...claims }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
}

/** The refusal's message, or 'ok'. */
const verdict = (tokens: TokenService, token: string) => tokens.verify(token).then(() => 'ok', (e: Error) => e.message);

describe('token lifetime', () => {
  const tokens = new TokenService(SECRET, { maxTtlSec: 90 * 60, now: () => NOW });

  it('refuses lifetimes above the configured cap in words', async () => {
    expect(await verdict(tokens, await mint({ iat: nowSec, exp: nowSec + 2 * 3600 }))).toBe('token lifetime 2h exceeds JWT_MAX_TTL 1h30m');
    expect(await verdict(tokens, await mint({ iat: nowSec, exp: nowSec + 90 * 60 }))).toBe('ok');
  });

  it('allows a few seconds of clock difference between issuer and server', async () => {
    expect(await verdict(tokens, await mint({ exp: nowSec + 90 * 60 + 3 }))).toBe('ok');
    expect(await verdict(tokens, await mint({ iat: nowSec + 3, nbf: nowSec + 3, exp: nowSec + 60 }))).toBe('ok');
    expect(await verdict(tokens, await mint({ iat: nowSec, nbf: nowSec + 120, exp: nowSec + 600 }))).toBe('token not yet valid (nbf is 2m from now)');
  });

  it('signs tokens with iat and exp, and the user it verifies carries the expiry', async () => {
    const user = await tokens.verify(await tokens.sign({ sub: 'alice', role: 'viewer', name: 'Alice' }, 3600));
    expect(user).toEqual({ id: 'alice', role: 'viewer', name: 'Alice', expiresAt: NOW + 3600_000 });
  });
});

describe('durations', () => {
  it('reads seconds, minutes, hours and days, and writes them back compactly', () => {
    expect(['86400', '90s', '90m', '24h', '2d', '1x', '', '-5'].map(parseDuration)).toEqual([86_400, 90, 5400, 86_400, 172_800, NaN, NaN, NaN]);
    expect([86_400, 5400, 315_360_000, 86_401, 0].map(formatDuration)).toEqual(['24h', '1h30m', '87600h', '24h1s', '0s']);
  });
});

describe('JWT secret rotation (JWT_SECRET_PREVIOUS)', () => {
  const OLD = 'old-secret-0123456789abcdef0123456789';
  const NEW = 'new-secret-0123456789abcdef0123456789';
  const before = new TokenService(OLD, { now: () => NOW });
  const during = new TokenService(NEW, { previousSecret: OLD, now: () => NOW });
  const after = new TokenService(NEW, { now: () => NOW });

  it('accepts tokens signed with either secret while both are set, and signs with the current one', async () => {
    const issuedBefore = await before.sign({ sub: 'alice', role: 'viewer' }, 3600);
    const issuedDuring = await during.sign({ sub: 'bob', role: 'viewer' }, 3600);
    expect(await during.verify(issuedBefore)).toMatchObject({ id: 'alice' });
    expect(await during.verify(issuedDuring)).toMatchObject({ id: 'bob' });
    // signed with the new secret: the node that no longer knows the old one accepts it, one still on the old only refuses it
    expect(await verdict(after, issuedDuring)).toBe('ok');
    expect(await verdict(before, issuedDuring)).toBe('bad token signature');
    // once the previous secret is dropped, the old tokens are refused
    expect(await verdict(after, issuedBefore)).toBe('bad token signature');
  });

  it('refuses a token of a third secret, and an expired token of the previous secret says expired', async () => {
    const stranger = new TokenService('a-third-secret-0123456789abcdef0123', { now: () => NOW });
    expect(await verdict(during, await stranger.sign({ sub: 'eve', role: 'viewer' }, 3600))).toBe('bad token signature');
    expect(await verdict(during, await before.sign({ sub: 'alice', role: 'viewer' }, -60))).toBe('token expired');
  });
});
