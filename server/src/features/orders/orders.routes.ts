import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { OrderWebhookBody } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { AppError } from '../../../../core/src/errors.js';
import { defineRoute, JSON_BODY_LIMIT } from '../../http/route.js';
import { receiveOrder } from '../../../../core/src/orders/orders.service.js';
import { SIGNATURE_HEADER, signatureDigest, validSignature } from '../../http/webhook-signature.js';

const OrderReceipt = z.object({
  ok: z.literal(true),
  orderId: z.string(),
  duplicate: z.boolean(),
  attribution: z.object({ by: z.enum(['coupon', 'stream', 'last_join', 'none']), streamId: z.string().optional(), viewerId: z.string() }),
  coupon: z.enum(['redeemed', 'already_redeemed', 'unknown']).optional(),
  points: z.number().int().optional(),
});

const unsigned = () => new AppError('unauthorized', 'bad or missing X-Stickyroom-Signature (sha256=<hex HMAC-SHA256 of the raw body>)');

/**
 * `POST /api/webhooks/orders`, mounted before the JSON parser (a raw-body route). In this order: a
 * well-formed signature header (else 401 without reading the body), the raw bytes up to the body limit
 * (else 413), the signature over exactly those bytes (constant time, else 401), and only then JSON and the
 * schema (else 400). An unsigned caller learns nothing about our parser or schema.
 */
export function orderWebhookRoutes(router: Router, ctx: AppContext): void {
  router.post(
    '/webhooks/orders',
    (req: Request, _res: Response, next: NextFunction) => next(signatureDigest(req.headers[SIGNATURE_HEADER]) ? undefined : unsigned()),
    // any content type; inflate off: the signature is over the bytes as sent, so a compressed body is refused (415)
    express.raw({ type: () => true, limit: JSON_BODY_LIMIT, inflate: false }),
    (req: Request, _res: Response, next: NextFunction) => {
      const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!validSignature(ctx.config.WEBHOOK_SECRET, raw, signatureDigest(req.headers[SIGNATURE_HEADER])!)) return next(unsigned());
      try {
        req.body = JSON.parse(raw.toString('utf8')) as unknown;
      } catch {
        return next(new AppError('invalid_payload', 'body is not valid JSON'));
      }
      next();
    },
  );
  defineRoute(
    router,
    {
      method: 'post',
      path: '/webhooks/orders',
      summary: 'Order webhook (commerce backend): signed with X-Stickyroom-Signature; counted once per orderId',
      tags: ['orders'],
      auth: false,
      signatureHeader: SIGNATURE_HEADER,
      body: OrderWebhookBody,
      response: OrderReceipt,
    },
    async ({ body, req }) => {
      const receipt = await receiveOrder(ctx, body);
      // for the webhook outcome metric (server/src/http/metrics.ts)
      if (req.res) req.res.locals.webhookOutcome = receipt.duplicate ? 'duplicate' : 'accepted';
      return { body: { ok: true, ...receipt } };
    },
  );
}
