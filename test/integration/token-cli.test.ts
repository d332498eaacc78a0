import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { TokenService } from '../../core/src/identity/tokens.js';

const SECRET = 'cli-secret-0123456789abcdef';

/** `npm run token -- ...args` with this environment: exit code, stdout, stderr. */
function tokenCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=@stickyroom/source', '--import', 'tsx', 'scripts/token.ts', ...args], { env: { ...process.env, JWT_SECRET: SECRET, JWT_MAX_TTL: '', ...env } }, (error, out, err) =>
      resolve({ code: error ? Number(error.code) : 0, out, err }),
    );
  });
}

describe('npm run token', () => {
  it('mints a token with exp that the server accepts, 12h unless asked', async () => {
    const { code, out } = await tokenCli(['--role', 'viewer', '--sub', 'alice']);
    expect(code).toBe(0);
    const claims = decodeJwt(out.trim());
    expect(claims.exp! - claims.iat!).toBe(12 * 3600);
    expect(await new TokenService(SECRET).verify(out.trim())).toMatchObject({ id: 'alice', role: 'viewer' });
  });

  it('refuses a --ttl above JWT_MAX_TTL, saying which limit and how to change it', async () => {
    const { code, out, err } = await tokenCli(['--role', 'viewer', '--sub', 'alice', '--ttl', '7d']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('token: --ttl 7d exceeds JWT_MAX_TTL 24h');
  });

  it('stays within a smaller JWT_MAX_TTL when no --ttl is given', async () => {
    const { out } = await tokenCli(['--role', 'viewer', '--sub', 'alice'], { JWT_MAX_TTL: '90m' });
    const claims = decodeJwt(out.trim());
    expect(claims.exp! - claims.iat!).toBe(90 * 60);
  });
});
