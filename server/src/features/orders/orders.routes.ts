import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import { OrderWebhookBody } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import type { RawBodyRequest } from '../../http/app.js';
import { defineRoute } from '../../http/route.js';
import { receiveOrder } from './orders.service.js';
import { SIGNATURE_HEADER, validSignature } from './orders.signature.js';

const OrderReceipt = z.object({
  ok: z.literal(true),
  orderId: z.string(),
  duplicate: z.boolean(),
  attribution: z.object({ by: z.enum(['coupon', 'stream', 'last_join', 'none']), streamId: z.string().optional(), viewerId: z.string() }),
  coupon: z.enum(['redeemed', 'already_redeemed', 'unknown']).optional(),
  points: z.number().int().optional(),
});

export function orderRoutes(router: Router, ctx: AppContext): void {
  // The signature is checked before the body is validated: an unsigned caller learns nothing about our schema.
  router.post('/webhooks/orders', (req: Request, _res: Response, next: NextFunction) => {
    if (validSignature(ctx.config.WEBHOOK_SECRET, (req as RawBodyRequest).rawBody, req.headers[SIGNATURE_HEADER])) return next();
    next(new AppError('unauthorized', 'bad or missing X-Stickyroom-Signature (sha256=<hex HMAC-SHA256 of the raw body>)'));
  });
  defineRoute(
    router,
    ctx,
    {
      method: 'post',
      path: '/webhooks/orders',
      summary: 'Order webhook (commerce backend): signed with X-Stickyroom-Signature; counted once per orderId',
      tags: ['orders'],
      auth: false,
      body: OrderWebhookBody,
      response: OrderReceipt,
    },
    async ({ body }) => ({ body: { ok: true, ...(await receiveOrder(ctx, body)) } }),
  );
}
