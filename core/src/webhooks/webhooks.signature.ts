import { createHmac } from 'node:crypto';

/**
 * `sha256=<hex>` of the raw body with a secret: the `X-Stickyroom-Signature` scheme of both the inbound
 * order webhook (server/src/http/webhook-signature.ts) and the outbound webhooks.
 */
export function signBody(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}
