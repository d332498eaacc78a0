import { createHmac, timingSafeEqual } from 'node:crypto';
import { signBody } from '../../../core/src/webhooks/webhooks.signature.js';

export const SIGNATURE_HEADER = 'x-stickyroom-signature';

const HEADER_FORMAT = /^sha256=([0-9a-f]{64})$/i;

/** `sha256=<hex>` of the raw body with the webhook secret (the outbound webhooks sign the same way). */
export { signBody };

/** The 32-byte digest a well-formed `X-Stickyroom-Signature` carries; null when missing, repeated or malformed. */
export function signatureDigest(header: string | string[] | undefined): Buffer | null {
  if (typeof header !== 'string') return null;
  const m = HEADER_FORMAT.exec(header.trim());
  return m ? Buffer.from(m[1]!, 'hex') : null;
}

/** Whether `digest` is the HMAC-SHA256 of the raw body: compared in constant time (both are 32 bytes). */
export function validSignature(secret: string, raw: Buffer, digest: Buffer): boolean {
  return timingSafeEqual(digest, createHmac('sha256', secret).update(raw).digest());
}
