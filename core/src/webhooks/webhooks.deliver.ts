import type { AppContext } from '../context.js';
import { refusePrivate, webhookStore } from './webhooks.service.js';
import { signBody } from './webhooks.signature.js';
import { privateResolutionReason } from './webhooks.url.js';

export const EVENT_HEADER = 'X-Stickyroom-Event';
export const DELIVERY_HEADER = 'X-Stickyroom-Delivery';
export const SIGNATURE_HEADER = 'X-Stickyroom-Signature';

export type AttemptOutcome =
  /** 2xx: done. */
  | { outcome: 'delivered'; statusCode: number }
  /** Anything else, or no answer: the job throws and BullMQ retries after its backoff (unless `final`). */
  | { outcome: 'retry'; statusCode?: number; error: string }
  /** Given up: the last attempt failed, the endpoint is gone, or its address is refused. */
  | { outcome: 'failed'; statusCode?: number; error: string }
  /** Nothing to send: the delivery expired from the log, or an earlier run of this job delivered it. */
  | { outcome: 'skipped'; reason: string };

/** Longest error text kept in the log. */
const ERROR_CHARS = 200;

/**
 * One attempt of a delivery (the `webhook.deliver` job): POSTs its body, signed with the endpoint's secret,
 * and records the attempt in the delivery log. `final`: no retry follows a failure of this attempt.
 * Redirects are not followed (a 3xx is a failure), and each attempt waits WEBHOOK_TIMEOUT_MS at most.
 */
export async function attemptDelivery(ctx: AppContext, brandId: string, deliveryId: string, opts: { redelivery: boolean; final: boolean }): Promise<AttemptOutcome> {
  const store = webhookStore(ctx);
  const d = await store.delivery(brandId, deliveryId);
  if (!d) return { outcome: 'skipped', reason: 'no such delivery (expired from the log?)' };
  if (!opts.redelivery && d.status !== 'pending') return { outcome: 'skipped', reason: `already ${d.status}` };
  const endpoint = await store.endpoint(brandId, d.endpointId);
  if (!endpoint || !endpoint.active) {
    await store.markFailed(brandId, deliveryId, 'endpoint removed');
    return { outcome: 'failed', error: 'endpoint removed' };
  }
  const ttl = ctx.config.WEBHOOK_LOG_DAYS * 86_400;
  const url = new URL(endpoint.url);
  if (refusePrivate(ctx)) {
    const why = await privateResolutionReason(url).catch((err: unknown) => `${url.hostname} does not resolve (${(err as Error).message})`);
    if (why) {
      const final = opts.final || !why.includes('does not resolve');
      await store.recordAttempt(brandId, deliveryId, { status: final ? 'failed' : 'pending', at: ctx.clock.now(), error: why }, ttl);
      return { outcome: final ? 'failed' : 'retry', error: why };
    }
  }
  let result: { ok: boolean; statusCode?: number; error?: string };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'stickyroom-webhooks',
        [EVENT_HEADER]: d.event,
        [DELIVERY_HEADER]: d.id,
        [SIGNATURE_HEADER]: signBody(endpoint.secret, d.body),
      },
      body: d.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(ctx.config.WEBHOOK_TIMEOUT_MS),
    });
    // the answer's body is not read: free the connection
    await res.body?.cancel().catch(() => undefined);
    result = res.status >= 200 && res.status < 300 ? { ok: true, statusCode: res.status } : { ok: false, statusCode: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${ctx.config.WEBHOOK_TIMEOUT_MS} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    result = { ok: false, error: String(why).slice(0, ERROR_CHARS) };
  }
  const at = ctx.clock.now();
  const status = result.ok ? 'delivered' : opts.final ? 'failed' : 'pending';
  await store.recordAttempt(
    brandId,
    deliveryId,
    { status, at, ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}), ...(result.error !== undefined ? { error: result.error } : {}) },
    ttl,
  );
  if (result.ok) return { outcome: 'delivered', statusCode: result.statusCode! };
  const failure = { ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}), error: result.error! };
  if (opts.final) {
    ctx.log.warn({ brandId, deliveryId, event: d.event, ...failure }, 'webhook delivery failed for good');
    return { outcome: 'failed', ...failure };
  }
  return { outcome: 'retry', ...failure };
}
