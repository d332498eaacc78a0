import type { OrderWebhookBody } from '@stickyroom/sdk/protocol';
import { perContext, type AppContext } from '../context.js';
import type { ActivityMetric } from '../activity/activity.metrics.js';
import { couponCodes } from '../coupons/coupons.rewards.js';
import { grantPoints } from '../points/points.service.js';
import { productStore } from '../products/products.service.js';
import { streamStore } from '../streams/streams.service.js';
import { OrderStore, type OrderAttribution } from './orders.store.js';
import { emitWebhook } from '../webhooks/webhooks.service.js';

export const orderStore = perContext((ctx) => new OrderStore(ctx.redis, ctx.keys));

/** A delivery that stalls this long (a crashed node) lets a later delivery count the order instead. */
const ORDER_LEASE_MS = 30_000;

export interface OrderReceipt {
  orderId: string;
  /** True when this order id was delivered before: nothing was counted again. */
  duplicate: boolean;
  attribution: { by: OrderAttribution['by']; streamId?: string; viewerId: string };
  /** What happened to the coupon code: redeemed by this order, by an earlier one, or not one we issued. */
  coupon?: 'redeemed' | 'already_redeemed' | 'unknown';
  points?: number;
}

/** Attributes the order: the coupon's stream, else the body's stream, else the stream the viewer joined last. */
async function attribute(ctx: AppContext, body: OrderWebhookBody): Promise<OrderAttribution> {
  const a: OrderAttribution = {
    orderId: body.orderId,
    viewerId: body.viewerId,
    amountCents: Math.round(body.amount * 100),
    currency: body.currency,
    at: body.at ?? ctx.clock.now(),
    by: 'none',
    ...(body.productIds?.length ? { productIds: [...new Set(body.productIds)] } : {}),
  };
  if (body.couponCode) {
    a.couponCode = body.couponCode.trim().toUpperCase();
    const coupon = await couponCodes(ctx).find(a.couponCode);
    if (coupon) return { ...a, by: 'coupon', streamId: coupon.streamId, brandId: coupon.brandId };
  }
  if (body.streamId) {
    const stream = await streamStore(ctx).get(body.streamId);
    if (stream) return { ...a, by: 'stream', streamId: stream.id, brandId: stream.brandId };
  }
  const last = await productStore(ctx).lastJoin(body.viewerId);
  if (last) return { ...a, by: 'last_join', streamId: last.streamId, brandId: last.brandId };
  return a;
}

/**
 * Counts an order once per order id however often it is delivered (the first delivery's attribution
 * wins), redeems its coupon, adds it to the brand's history of the buyer, and grants purchase points.
 */
export async function receiveOrder(ctx: AppContext, body: OrderWebhookBody): Promise<OrderReceipt> {
  const store = orderStore(ctx);
  const { attribution: a, first } = await store.attribute(await attribute(ctx, body));
  const receipt: OrderReceipt = {
    orderId: a.orderId,
    duplicate: !first,
    attribution: { by: a.by, viewerId: a.viewerId, ...(a.streamId ? { streamId: a.streamId } : {}) },
  };
  if (!a.streamId || !a.brandId) {
    if (a.couponCode) receipt.coupon = 'unknown';
    return receipt;
  }
  if (!(await store.claim(a.streamId, a.orderId, ctx.clock.now(), ORDER_LEASE_MS))) return { ...receipt, duplicate: true };

  // Every step from here is idempotent, and the last one (count) marks the order counted atomically.
  await store.addToHistory(a.brandId, a);
  const points = await grantPoints(ctx, {
    brandId: a.brandId,
    viewerId: a.viewerId,
    streamId: a.streamId,
    points: Math.floor((a.amountCents / 100) * ctx.config.POINTS_PER_CURRENCY_UNIT),
    source: 'order',
    sourceId: a.orderId,
  });
  const metrics: { metric: ActivityMetric; n: number }[] = [
    { metric: 'orders', n: 1 },
    { metric: 'revenueCents', n: a.amountCents },
  ];
  if (a.couponCode) {
    if (a.by !== 'coupon') receipt.coupon = 'unknown';
    else {
      const redeemer = await couponCodes(ctx).redeem(a.streamId, a.couponCode, a.orderId);
      receipt.coupon = redeemer === a.orderId ? 'redeemed' : 'already_redeemed';
      if (redeemer === a.orderId) metrics.push({ metric: 'couponRedemptions', n: 1 });
    }
  }
  // before the count, which makes a retried delivery a duplicate: a failure here is retried with it
  await emitWebhook(ctx, a.brandId, 'order.attributed', `order.attributed:${a.orderId}`, {
    orderId: a.orderId,
    streamId: a.streamId,
    viewerId: a.viewerId,
    by: a.by,
    amountCents: a.amountCents,
    currency: a.currency,
    ...(a.couponCode ? { couponCode: a.couponCode, coupon: receipt.coupon } : {}),
    orderedAt: a.at,
  });
  await store.count(a.streamId, a, metrics);
  receipt.duplicate = false;
  if (points > 0) {
    receipt.points = points;
    ctx.broadcast.toUser(a.viewerId).emit('reward:granted', { streamId: a.streamId, source: 'order', sourceId: a.orderId, points });
  }
  ctx.log.info({ orderId: a.orderId, streamId: a.streamId, viewerId: a.viewerId, by: a.by }, 'order counted');
  return receipt;
}
