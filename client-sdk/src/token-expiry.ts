/**
 * A JWT's payload, read WITHOUT verifying it (the server verifies): for showing who is signed in and for
 * knowing when to ask for the next token. Undefined when the string is not a JWT with an object payload.
 *
 * @example
 * readTokenClaims(token)?.name
 */
export function readTokenClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const v: unknown = JSON.parse(decodeBase64Url(part));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A JWT's `exp` and `iat` in ms, read without verifying (the server verifies); undefined if not a JWT with `exp`. */
export function tokenTimes(token: string): { expiresAt: number; issuedAt?: number } | undefined {
  const claims = readTokenClaims(token);
  if (!claims || typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return undefined;
  const out: { expiresAt: number; issuedAt?: number } = { expiresAt: claims.exp * 1000 };
  if (typeof claims.iat === 'number' && Number.isFinite(claims.iat)) out.issuedAt = claims.iat * 1000;
  return out;
}

/**
 * How long before `expiresAt` to fetch the next token: 60 s, or a quarter of the token's lifetime when
 * that is shorter (a 3 s token is refreshed 0.75 s ahead).
 */
export function refreshLeadMs(expiresAt: number, issuedAt: number): number {
  return Math.min(60_000, Math.max(0, expiresAt - issuedAt) / 4);
}

function decodeBase64Url(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}
