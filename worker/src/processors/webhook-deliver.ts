import { attemptDelivery } from '../../../core/src/webhooks/webhooks.deliver.js';
import type { Processor } from './index.js';

/**
 * 'webhook.deliver': one attempt of an outbound webhook delivery. A failure that may pass (a non-2xx
 * answer, a timeout, a refused connection) throws, so BullMQ retries it after WEBHOOK_BACKOFF_MS, doubling;
 * the last attempt (WEBHOOK_DELIVERY_ATTEMPTS) logs the delivery as failed instead. Safe to run again: a
 * delivery already delivered is skipped (unless this is a redeliver call's job).
 */
export const deliverWebhook: Processor<'webhook.deliver'> = async (ctx, { brandId, deliveryId, redelivery }, job) => {
  // run without a job (a test, a script): one attempt, the last
  const final = job ? job.attemptsMade + 1 >= (job.opts.attempts ?? 1) : true;
  const out = await attemptDelivery(ctx, brandId, deliveryId, { redelivery: (redelivery ?? 0) > 0, final });
  if (out.outcome === 'retry') throw new Error(`webhook ${deliveryId}: ${out.error}; retried`);
  return out;
};
