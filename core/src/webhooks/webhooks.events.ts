import { z } from 'zod';

/** Every event a brand can subscribe an endpoint to (docs/webhooks.md has each one's `data`). */
export const WEBHOOK_EVENTS = [
  'stream.started',
  'stream.ended',
  'summary.final',
  'lottery.drawn',
  'coupon.claimed',
  'order.attributed',
  'segment.changed',
] as const;
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** A registered endpoint as stored (the secret never leaves the service but in the create answer). */
export const WebhookEndpoint = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEvent),
  secret: z.string(),
  active: z.boolean(),
  createdAt: z.number(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One delivery as the log shows it (the body is what was, and is again, sent). */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  event: WebhookEvent;
  status: DeliveryStatus;
  attempts: number;
  redeliveries: number;
  lastStatusCode?: number;
  lastError?: string;
  createdAt: number;
  lastAttemptAt?: number;
  deliveredAt?: number;
}

/** The HTTP answer shapes (OpenAPI). */
export const WebhookEndpointView = z.object({ id: z.string(), url: z.string(), events: z.array(WebhookEvent), active: z.boolean(), createdAt: z.number() });
export const WebhookDeliveryView = z.object({
  id: z.string(),
  endpointId: z.string(),
  event: WebhookEvent,
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  redeliveries: z.number(),
  lastStatusCode: z.number().optional(),
  lastError: z.string().optional(),
  createdAt: z.number(),
  lastAttemptAt: z.number().optional(),
  deliveredAt: z.number().optional(),
});
