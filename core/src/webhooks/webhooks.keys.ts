import type { Keys } from '../redis/keys.js';

/** A brand's outbound webhooks: every key in the brand's slot (`{b:<brandId>}`). */
export const webhookKeys = (k: Keys, brandId: string) => ({
  /** HASH endpointId -> JSON WebhookEndpoint (with its secret). */
  endpoints: k.brand(brandId, 'webhooks'),
  /** ZSET deliveryId -> createdAt (ms): an endpoint's delivery log, newest last, capped at WEBHOOK_LOG_SIZE. */
  log: (endpointId: string) => k.brand(brandId, 'webhooks', 'log', endpointId),
  /** HASH of one delivery (id, endpointId, event, body, status, attempts, ...); expires WEBHOOK_LOG_DAYS after its last change. */
  delivery: (deliveryId: string) => k.brand(brandId, 'webhooks', 'delivery', deliveryId),
});
