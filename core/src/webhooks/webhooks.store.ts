import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../redis/keys.js';
import { WebhookEndpoint, WebhookEvent, type DeliveryStatus, type WebhookDelivery } from './webhooks.events.js';
import { webhookKeys } from './webhooks.keys.js';
import { webhookRecord, type RecordArgs } from './webhooks.scripts.js';

/** A delivery as stored: the log's view and the body it sends. */
export interface StoredDelivery extends WebhookDelivery {
  body: string;
}

function parseDelivery(h: Record<string, string>): StoredDelivery | null {
  const event = WebhookEvent.safeParse(h.event);
  if (!h.id || !h.endpointId || !event.success || h.body === undefined) return null;
  const d: StoredDelivery = {
    id: h.id,
    endpointId: h.endpointId,
    event: event.data,
    status: (h.status as DeliveryStatus) ?? 'pending',
    attempts: Number(h.attempts ?? 0),
    redeliveries: Number(h.redeliveries ?? 0),
    createdAt: Number(h.createdAt),
    body: h.body,
  };
  if (h.lastStatusCode) d.lastStatusCode = Number(h.lastStatusCode);
  if (h.lastError) d.lastError = h.lastError;
  if (h.lastAttemptAt) d.lastAttemptAt = Number(h.lastAttemptAt);
  if (h.deliveredAt) d.deliveredAt = Number(h.deliveredAt);
  return d;
}

/** The only code touching a brand's webhook keys. */
export class WebhookStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async endpoints(brandId: string): Promise<WebhookEndpoint[]> {
    const raw = await this.redis.hgetall(webhookKeys(this.keys, brandId).endpoints);
    const out: WebhookEndpoint[] = [];
    for (const v of Object.values(raw)) {
      const parsed = WebhookEndpoint.safeParse(safeJson(v));
      if (parsed.success) out.push(parsed.data);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async endpoint(brandId: string, endpointId: string): Promise<WebhookEndpoint | null> {
    const raw = await this.redis.hget(webhookKeys(this.keys, brandId).endpoints, endpointId);
    const parsed = raw === null ? null : WebhookEndpoint.safeParse(safeJson(raw));
    return parsed?.success ? parsed.data : null;
  }

  /** Adds an endpoint unless the brand already has `max`: false when at the cap. */
  async addEndpoint(brandId: string, e: WebhookEndpoint, max: number): Promise<boolean> {
    const key = webhookKeys(this.keys, brandId).endpoints;
    // HLEN then HSET: two concurrent creates at the cap may both pass; the cap is a guard against
    // runaway registrations, not an exact quota.
    if ((await this.redis.hlen(key)) >= max) return false;
    await this.redis.hset(key, e.id, JSON.stringify(e));
    return true;
  }

  async removeEndpoint(brandId: string, endpointId: string): Promise<boolean> {
    const w = webhookKeys(this.keys, brandId);
    const [[, removed]] = (await this.redis.multi().hdel(w.endpoints, endpointId).del(w.log(endpointId)).exec()) as [[unknown, number], unknown];
    return removed === 1;
  }

  record(args: RecordArgs): Promise<'new' | DeliveryStatus> {
    return webhookRecord.run(this.redis, this.keys, args);
  }

  async delivery(brandId: string, deliveryId: string): Promise<StoredDelivery | null> {
    return parseDelivery(await this.redis.hgetall(webhookKeys(this.keys, brandId).delivery(deliveryId)));
  }

  /** The newest `limit` deliveries of an endpoint, newest first (those expired from the log are left out). */
  async log(brandId: string, endpointId: string, limit: number): Promise<StoredDelivery[]> {
    const w = webhookKeys(this.keys, brandId);
    const ids = await this.redis.zrevrange(w.log(endpointId), 0, limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(w.delivery(id));
    const res = (await pipeline.exec()) ?? [];
    return res.flatMap(([err, h]) => {
      const d = err ? null : parseDelivery(h as Record<string, string>);
      return d ? [d] : [];
    });
  }

  /** One attempt's outcome; the delivery's TTL restarts. */
  async recordAttempt(
    brandId: string,
    deliveryId: string,
    a: { status: DeliveryStatus; at: number; statusCode?: number; error?: string },
    ttlSec: number,
  ): Promise<void> {
    const key = webhookKeys(this.keys, brandId).delivery(deliveryId);
    const multi = this.redis.multi().hincrby(key, 'attempts', 1).hset(key, 'status', a.status, 'lastAttemptAt', a.at);
    if (a.statusCode !== undefined) multi.hset(key, 'lastStatusCode', a.statusCode);
    else multi.hdel(key, 'lastStatusCode');
    if (a.error !== undefined) multi.hset(key, 'lastError', a.error);
    else multi.hdel(key, 'lastError');
    if (a.status === 'delivered') multi.hset(key, 'deliveredAt', a.at);
    multi.expire(key, ttlSec);
    for (const [err] of (await multi.exec()) ?? []) if (err) throw err;
  }

  /** Marks a delivery failed without an attempt (its endpoint is gone). */
  async markFailed(brandId: string, deliveryId: string, error: string): Promise<void> {
    await this.redis.hset(webhookKeys(this.keys, brandId).delivery(deliveryId), 'status', 'failed', 'lastError', error);
  }

  /** A redeliver call: the delivery is pending again; answers its redelivery number (1, 2, ...). */
  async reopen(brandId: string, deliveryId: string, ttlSec: number): Promise<number> {
    const key = webhookKeys(this.keys, brandId).delivery(deliveryId);
    const res = await this.redis.multi().hincrby(key, 'redeliveries', 1).hset(key, 'status', 'pending').expire(key, ttlSec).exec();
    const [err, n] = res![0]!;
    if (err) throw err;
    return Number(n);
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
