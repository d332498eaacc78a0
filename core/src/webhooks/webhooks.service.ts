import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { User } from '../identity/tokens.js';
import { WebhookEvent, WEBHOOK_EVENTS, type WebhookDelivery, type WebhookEndpoint } from './webhooks.events.js';
import { privateHostReason } from './webhooks.url.js';
import { WebhookStore, type StoredDelivery } from './webhooks.store.js';
import { streamKeys } from '../streams/streams.keys.js';
import { isRedisUnavailable, outageWarner } from '../redis/outage.js';

export const webhookStore = perContext((ctx) => new WebhookStore(ctx.redis, ctx.keys));
/** One warning per Redis outage for the events lost to it (emitWebhookLater). */
const outage = perContext((ctx) => outageWarner(ctx.redis, ctx.log, 'a webhook event after its commit (lost)'));

/** `POST /api/brands/:brandId/webhooks`: the endpoint to call and what to send it. */
export const WebhookCreate = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).max(2048),
    events: z
      .array(WebhookEvent)
      .min(1)
      .max(WEBHOOK_EVENTS.length)
      .refine((e) => new Set(e).size === e.length, 'each event once'),
    /** The signing secret; omitted, one is generated (and answered once, here). */
    secret: z.string().min(32, 'at least 32 characters').max(256).optional(),
  })
  .strict();
export type WebhookCreate = z.infer<typeof WebhookCreate>;

/** Brand tokens of the brand, and admins, manage a brand's webhooks (they carry the brand's data out). */
export function authorizeWebhooks(user: User, brandId: string): void {
  if (user.role === 'admin') return;
  if (user.role !== 'brand' || user.brandId !== brandId) throw new AppError('forbidden', "only the brand's own brand token or an admin manages its webhooks");
}

const ttlSec = (ctx: AppContext) => ctx.config.WEBHOOK_LOG_DAYS * 86_400;
const retryPolicy = (ctx: AppContext) => ({ attempts: ctx.config.WEBHOOK_DELIVERY_ATTEMPTS, backoffMs: ctx.config.WEBHOOK_BACKOFF_MS });

export async function createEndpoint(ctx: AppContext, user: User, brandId: string, body: WebhookCreate): Promise<WebhookEndpoint> {
  authorizeWebhooks(user, brandId);
  const url = new URL(body.url);
  if (url.username || url.password) throw new AppError('invalid_payload', 'url: no credentials in the URL (sign with the secret instead)');
  if (refusePrivate(ctx)) {
    const why = privateHostReason(url);
    if (why) throw new AppError('invalid_payload', `url: ${why} (WEBHOOK_ALLOW_PRIVATE_URLS allows it)`);
  }
  const endpoint: WebhookEndpoint = {
    id: `wh_${randomBytes(9).toString('base64url')}`,
    url: url.toString(),
    events: body.events,
    secret: body.secret ?? `whsec_${randomBytes(32).toString('hex')}`,
    active: true,
    createdAt: ctx.clock.now(),
  };
  if (!(await webhookStore(ctx).addEndpoint(brandId, endpoint, ctx.config.WEBHOOK_MAX_ENDPOINTS))) {
    throw new AppError('conflict', `a brand has at most ${ctx.config.WEBHOOK_MAX_ENDPOINTS} webhook endpoints (WEBHOOK_MAX_ENDPOINTS)`, { reason: 'too_many_webhooks' });
  }
  subscriptions(ctx).forget(brandId);
  ctx.log.info({ brandId, endpointId: endpoint.id, events: endpoint.events, by: user.id }, 'webhook endpoint registered');
  return endpoint;
}

/** Loopback and private addresses are refused in production unless the deployment allows them. */
export const refusePrivate = (ctx: AppContext): boolean => ctx.config.NODE_ENV === 'production' && !ctx.config.WEBHOOK_ALLOW_PRIVATE_URLS;

export async function listEndpoints(ctx: AppContext, user: User, brandId: string): Promise<Omit<WebhookEndpoint, 'secret'>[]> {
  authorizeWebhooks(user, brandId);
  return (await webhookStore(ctx).endpoints(brandId)).map(({ secret: _secret, ...shown }) => shown);
}

export async function deleteEndpoint(ctx: AppContext, user: User, brandId: string, endpointId: string): Promise<void> {
  authorizeWebhooks(user, brandId);
  if (!(await webhookStore(ctx).removeEndpoint(brandId, endpointId))) throw new AppError('not_found', `no webhook endpoint ${endpointId}`);
  subscriptions(ctx).forget(brandId);
  ctx.log.info({ brandId, endpointId, by: user.id }, 'webhook endpoint removed');
}

export async function listDeliveries(ctx: AppContext, user: User, brandId: string, endpointId: string, limit: number): Promise<WebhookDelivery[]> {
  authorizeWebhooks(user, brandId);
  if (!(await webhookStore(ctx).endpoint(brandId, endpointId))) throw new AppError('not_found', `no webhook endpoint ${endpointId}`);
  return (await webhookStore(ctx).log(brandId, endpointId, limit)).map(({ body: _body, ...shown }) => shown);
}

/** Sends a logged delivery again (same id, same body), with the usual retries; answers it as now pending. */
export async function redeliver(ctx: AppContext, user: User, brandId: string, deliveryId: string): Promise<WebhookDelivery> {
  authorizeWebhooks(user, brandId);
  const store = webhookStore(ctx);
  const d = await store.delivery(brandId, deliveryId);
  if (!d) throw new AppError('not_found', `no webhook delivery ${deliveryId} (deliveries are kept WEBHOOK_LOG_DAYS)`);
  if (!(await store.endpoint(brandId, d.endpointId))) throw new AppError('not_found', `the endpoint of delivery ${deliveryId} was removed`);
  const redelivery = await store.reopen(brandId, deliveryId, ttlSec(ctx));
  const now = ctx.clock.now();
  await ctx.jobs.at({ type: 'webhook.deliver', brandId, deliveryId, redelivery }, now, now, retryPolicy(ctx));
  ctx.log.info({ brandId, deliveryId, redelivery, by: user.id }, 'webhook redelivery queued');
  const { body: _body, ...shown } = d;
  return { ...shown, status: 'pending', redeliveries: redelivery };
}

/**
 * A brand's endpoints as this node last read them, for at most WEBHOOK_SUBSCRIPTIONS_CACHE_MS (wall time):
 * an event of a brand with no subscriber costs no Redis call (a coupon claim is a hot path). A change made
 * on this node is seen at once; one made on another node after at most the cache's age.
 */
class Subscriptions {
  private readonly cache = new Map<string, { at: number; endpoints: Promise<WebhookEndpoint[]> }>();
  constructor(private readonly ctx: AppContext) {}

  of(brandId: string): Promise<WebhookEndpoint[]> {
    const maxAge = this.ctx.config.WEBHOOK_SUBSCRIPTIONS_CACHE_MS;
    const now = performance.now();
    const hit = this.cache.get(brandId);
    if (hit && now - hit.at < maxAge) return hit.endpoints;
    const endpoints = webhookStore(this.ctx).endpoints(brandId);
    if (maxAge > 0) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(brandId, { at: now, endpoints });
      // a failed read is not kept
      endpoints.catch(() => this.cache.get(brandId)?.endpoints === endpoints && this.cache.delete(brandId));
    }
    return endpoints;
  }

  forget(brandId: string): void {
    this.cache.delete(brandId);
  }
}
const subscriptions = perContext((ctx) => new Subscriptions(ctx));

/** Whether any endpoint of the brand takes `event` (from this node's cache: usually no Redis call). */
export async function subscribed(ctx: AppContext, brandId: string, event: WebhookEvent): Promise<boolean> {
  return (await subscriptions(ctx).of(brandId)).some((e) => e.active && e.events.includes(event));
}

/** The delivery id of one event at one endpoint: the same however often the event is emitted. */
export function deliveryIdOf(endpointId: string, eventKey: string): string {
  return `whd_${createHash('sha256').update(`${endpointId}\n${eventKey}`).digest('base64url').slice(0, 24)}`;
}

/**
 * Emits an event to every endpoint of the brand subscribed to it: records one delivery per endpoint and
 * queues its job. `eventKey` names this occurrence of the event (e.g. `stream.ended:<streamId>`): emitting
 * it again (an outbox entry or a job run twice) is the same delivery, recorded and sent once.
 * Throws when Redis fails; callers that must not lose the event run in a retried context (outbox, job).
 */
export async function emitWebhook(ctx: AppContext, brandId: string, event: WebhookEvent, eventKey: string, data: Record<string, unknown>, at = ctx.clock.now()): Promise<number> {
  const targets = (await subscriptions(ctx).of(brandId)).filter((e) => e.active && e.events.includes(event));
  if (targets.length === 0) return 0;
  const store = webhookStore(ctx);
  const now = ctx.clock.now();
  await Promise.all(
    targets.map(async (endpoint) => {
      const deliveryId = deliveryIdOf(endpoint.id, eventKey);
      const body = JSON.stringify({ id: deliveryId, event, brandId, at, data });
      const status = await store.record({
        brandId,
        deliveryId,
        endpointId: endpoint.id,
        event,
        body,
        createdAt: now,
        ttlSec: ttlSec(ctx),
        logSize: ctx.config.WEBHOOK_LOG_SIZE,
      });
      // pending: recorded by an emit that may have died before queueing; the job id makes this a no-op otherwise
      if (status === 'new' || status === 'pending') {
        await ctx.jobs.at({ type: 'webhook.deliver', brandId, deliveryId }, now, now, retryPolicy(ctx));
      }
    }),
  );
  return targets.length;
}

/**
 * The same, for a step whose commit was already answered (or is about to be): never awaited by it, never
 * thrown. Best effort: lost if this process dies or Redis fails between the commit and the record.
 */
export function emitWebhookLater(ctx: AppContext, brandId: string | Promise<string | undefined>, event: WebhookEvent, eventKey: string, data: Record<string, unknown>): void {
  const at = ctx.clock.now();
  Promise.resolve(brandId)
    .then((b) => (b ? emitWebhook(ctx, b, event, eventKey, data, at) : 0))
    .catch((err: unknown) =>
      isRedisUnavailable(err) ? outage(ctx)(err) : ctx.log.warn({ err, event, eventKey }, 'webhook event not recorded (best effort after its commit)'),
    );
}

/**
 * The brand of a stream, remembered by this node (a stream never changes brand): a coupon claim's event
 * reads it once per stream, not once per claim.
 */
class StreamBrands {
  private readonly brands = new Map<string, Promise<string | undefined>>();
  constructor(private readonly ctx: AppContext) {}
  of(streamId: string): Promise<string | undefined> {
    const known = this.brands.get(streamId);
    if (known !== undefined) return known;
    // the promise is kept, so a burst of claims in a new stream reads the brand once
    const brandId = this.ctx.redis.hget(streamKeys(this.ctx.keys, streamId).meta, 'brandId').then((b) => b ?? undefined);
    if (this.brands.size >= 10_000) this.brands.clear();
    this.brands.set(streamId, brandId);
    // a failed read or an unknown stream is not kept
    brandId.then(
      (b) => b === undefined && this.brands.delete(streamId),
      () => this.brands.delete(streamId),
    );
    return brandId;
  }
}
export const streamBrand = perContext((ctx) => new StreamBrands(ctx));

export type { StoredDelivery };
