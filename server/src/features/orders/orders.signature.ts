import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-stickyroom-signature';

/** `sha256=<hex>` of the raw body with the webhook secret. */
export function signBody(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** Constant-time check of `X-Stickyroom-Signature` against the raw body. */
export function validSignature(secret: string, raw: Buffer | undefined, header: string | string[] | undefined): boolean {
  if (!raw || typeof header !== 'string') return false;
  const expected = Buffer.from(signBody(secret, raw));
  const given = Buffer.from(header.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
