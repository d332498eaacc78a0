import type { Router } from 'express';
import { z } from 'zod';
import { Id } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { WebhookDeliveryView, WebhookEndpointView, WebhookEvent } from '../../../../core/src/webhooks/webhooks.events.js';
import {
  createEndpoint,
  deleteEndpoint,
  listDeliveries,
  listEndpoints,
  redeliver,
  WebhookCreate,
} from '../../../../core/src/webhooks/webhooks.service.js';

const MANAGERS = ['brand', 'admin'] as const;
const tags = ['webhooks'];

/** The outbound webhooks of a brand (docs/webhooks.md): brand tokens of the brand and admins. */
export function webhookRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'post',
      path: '/brands/:brandId/webhooks',
      summary: 'Register an outbound webhook endpoint; the answer carries its signing secret, shown this once',
      tags,
      params: { brandId: Id },
      body: WebhookCreate,
      roles: MANAGERS,
      response: z.object({ id: z.string(), url: z.string(), events: z.array(WebhookEvent), secret: z.string(), active: z.boolean(), createdAt: z.number() }),
    },
    async ({ user, params, body }) => ({ status: 201, body: await createEndpoint(ctx, user, params.brandId, body) }),
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/webhooks',
      summary: "The brand's webhook endpoints (without their secrets)",
      tags,
      params: { brandId: Id },
      roles: MANAGERS,
      response: z.object({ endpoints: z.array(WebhookEndpointView) }),
    },
    async ({ user, params }) => ({ body: { endpoints: await listEndpoints(ctx, user, params.brandId) } }),
  );
  defineRoute(
    router,
    {
      method: 'delete',
      path: '/brands/:brandId/webhooks/:endpointId',
      summary: 'Remove a webhook endpoint (and its delivery log); deliveries still queued for it are logged as failed',
      tags,
      params: { brandId: Id, endpointId: Id },
      roles: MANAGERS,
      response: z.object({ ok: z.literal(true) }),
    },
    async ({ user, params }) => {
      await deleteEndpoint(ctx, user, params.brandId, params.endpointId);
      return { body: { ok: true } };
    },
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/webhooks/:endpointId/deliveries',
      summary: "An endpoint's delivery log, newest first: event, status, attempts, last status code or error",
      tags,
      params: { brandId: Id, endpointId: Id },
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }).strict(),
      roles: MANAGERS,
      response: z.object({ deliveries: z.array(WebhookDeliveryView) }),
    },
    async ({ user, params, query }) => ({ body: { deliveries: await listDeliveries(ctx, user, params.brandId, params.endpointId, query.limit) } }),
  );
  defineRoute(
    router,
    {
      method: 'post',
      path: '/brands/:brandId/webhooks/deliveries/:deliveryId/redeliver',
      summary: 'Send a logged delivery again: same delivery id and body, a fresh signature, the usual retries',
      tags,
      params: { brandId: Id, deliveryId: Id },
      roles: MANAGERS,
      response: WebhookDeliveryView,
    },
    async ({ user, params }) => ({ status: 202, body: await redeliver(ctx, user, params.brandId, params.deliveryId) }),
  );
}
