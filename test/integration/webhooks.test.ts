import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/src/logger.js';
import { emitWebhook } from '../../core/src/webhooks/webhooks.service.js';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { id: string; event: string; brandId: string; at: number; data: Record<string, any> };
}

/**
 * A local webhook receiver: answers each request with the next step of `plan` (then 200), and records it.
 * A step is a status, `hang` (never answers) or `hold` (answers 200 once `release()` is called).
 */
class Receiver {
  readonly got: Received[] = [];
  plan: (number | 'hang' | 'hold')[] = [];
  private held: (() => void)[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        this.got.push({ headers: req.headers, raw, body: JSON.parse(raw) });
        const step = this.plan.shift() ?? 200;
        if (step === 'hold') this.held.push(() => res.end('ok'));
        else if (step !== 'hang') {
          res.statusCode = step;
          res.end('ok');
        }
        this.waiters = this.waiters.filter((w) => (this.got.length >= w.n ? (w.resolve(), false) : true));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }
  /** Resolves once `n` requests in all have arrived. */
  received(n: number): Promise<void> {
    return this.got.length >= n ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
  /** Resolves with the first request of `event`, once it arrives. */
  async event(event: string): Promise<Received> {
    for (let n = 1; ; n++) {
      await this.received(n);
      if (this.got[n - 1]!.body.event === event) return this.got[n - 1]!;
    }
  }
  release(): void {
    for (const answer of this.held.splice(0)) answer();
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let t: TestApp;
let worker: RunningWorker;
const receivers: Receiver[] = [];
beforeAll(async () => {
  t = await startTestApp({ WEBHOOK_BACKOFF_MS: '20', WEBHOOK_DELIVERY_ATTEMPTS: '4', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_SUBSCRIPTIONS_CACHE_MS: '0', EVENT_RATE_LIMIT: '1000' });
  worker = startWorker({ config: t.config, log: createLogger('silent', 'webhooks-test-worker'), clock: t.clock });
  await worker.whenReady();
});
afterAll(async () => {
  await worker.close();
  await t.close();
  for (const r of receivers) await r.close();
});

async function receiver(plan: Receiver['plan'] = []): Promise<Receiver> {
  const r = await new Receiver().start();
  r.plan = plan;
  receivers.push(r);
  return r;
}

const brandToken = (brandId: string) => t.token('brand', `team-${brandId}`, { brandId });

async function register(brandId: string, url: string, events: string[]): Promise<{ id: string; secret: string }> {
  const res = await t.http('POST', `/api/brands/${brandId}/webhooks`, { token: await brandToken(brandId), body: { url, events } });
  expect(res.status).toBe(201);
  return res.body;
}

async function deliveries(brandId: string, endpointId: string): Promise<any[]> {
  const res = await t.http('GET', `/api/brands/${brandId}/webhooks/${endpointId}/deliveries`, { token: await brandToken(brandId) });
  expect(res.status).toBe(200);
  return res.body.deliveries;
}

/** The log once `done` holds of it: the worker records an attempt right after the receiver answered it. */
async function logWhen(brandId: string, endpointId: string, done: (log: any[]) => boolean): Promise<any[]> {
  for (;;) {
    const log = await deliveries(brandId, endpointId);
    if (done(log)) return log;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const validSignature = (r: Received, secret: string) => r.headers['x-stickyroom-signature'] === signBody(secret, r.raw);

describe('outbound webhooks', () => {
  it('retries a receiver that fails twice, then succeeds: three attempts, one delivery, every signature valid', async () => {
    const brandId = 'brand-wh-retry';
    const r = await receiver([500, 500]);
    const { id, secret } = await register(brandId, r.url, ['stream.started']);
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const streamId = await t.createStream('Retried', brandId, { start: true });

    await r.received(3);
    expect(r.got.map((g) => g.body.id)).toEqual(Array(3).fill(r.got[0]!.body.id));
    for (const g of r.got) {
      expect(validSignature(g, secret)).toBe(true);
      expect(g.headers['x-stickyroom-event']).toBe('stream.started');
      expect(g.headers['x-stickyroom-delivery']).toBe(g.body.id);
      expect(g.raw).toBe(r.got[0]!.raw);
    }
    expect(r.got[0]!.body).toEqual({ id: r.got[0]!.body.id, event: 'stream.started', brandId, at: expect.any(Number), data: { streamId, title: 'Retried', startedAt: expect.any(Number) } });
    const log = await logWhen(brandId, id, (l) => l[0]?.status === 'delivered');
    expect(log).toEqual([
      expect.objectContaining({ id: r.got[0]!.body.id, endpointId: id, event: 'stream.started', status: 'delivered', attempts: 3, lastStatusCode: 200, deliveredAt: expect.any(Number) }),
    ]);
    expect(log[0].lastError).toBeUndefined();
  });

  it('logs a delivery as failed after its last attempt', async () => {
    const brandId = 'brand-wh-fail';
    const r = await receiver([503, 503, 503, 503]);
    const { id } = await register(brandId, r.url, ['stream.started']);
    await t.createStream('Down', brandId, { start: true });
    await r.received(4);
    const log = await logWhen(brandId, id, (l) => l[0]?.status === 'failed');
    expect(log[0]).toMatchObject({ status: 'failed', attempts: 4, lastStatusCode: 503, lastError: 'HTTP 503' });
  });

  it('counts a receiver that does not answer within WEBHOOK_TIMEOUT_MS as a failed attempt, and retries it', async () => {
    const brandId = 'brand-wh-slow';
    const r = await receiver(['hang', 'hold']);
    const { id } = await register(brandId, r.url, ['stream.started']);
    await t.createStream('Slow', brandId, { start: true });
    // the retry has arrived, so the timed-out attempt is in the log
    await r.received(2);
    expect(await deliveries(brandId, id)).toEqual([expect.objectContaining({ status: 'pending', attempts: 1, lastError: 'no answer within 1000 ms' })]);
    expect(r.got[0]!.body.id).toBe(r.got[1]!.body.id);
    r.release();
    const log = await logWhen(brandId, id, (l) => l[0]?.status === 'delivered');
    expect(log[0]).toMatchObject({ attempts: 2, lastStatusCode: 200 });
    expect(log[0].lastError).toBeUndefined();
  });

  it('delivers every event of a scripted stream to a subscriber, and only subscribed events to another', async () => {
    const brandId = 'brand-wh-all';
    const all = await receiver();
    const some = await receiver();
    const { secret } = await register(brandId, all.url, ['stream.started', 'stream.ended', 'summary.final', 'lottery.drawn', 'coupon.claimed', 'order.attributed', 'segment.changed']);
    const partial = await register(brandId, some.url, ['stream.ended']);
    const staff = await t.token('streamer', `host-${brandId}`, { brandId });

    const streamId = await t.createStream('Everything', brandId, { start: true });
    const host = await t.streamer(`host-${brandId}`, brandId);
    await host.join(streamId);
    const viewer = await t.joinedViewer(streamId, 'wh-buyer');

    const { drop } = await host.dropCoupon(streamId, { title: '5 off', discount: { type: 'amount', value: 5 }, quantity: 10, durationSec: 600 });
    const { code } = await viewer.claimCoupon(drop.id);
    const claimed = await all.event('coupon.claimed');
    expect(claimed.body.data).toEqual({ streamId, dropId: drop.id, viewerId: 'wh-buyer', code, claimedAt: expect.any(Number) });

    const { lottery } = await host.createLottery(streamId, { prize: 'Hat', winners: 1, durationSec: 600 });
    await viewer.enterLottery(lottery.id);
    await host.drawLottery(lottery.id);
    const drawn = await all.event('lottery.drawn');
    expect(drawn.body.data).toMatchObject({ streamId, lotteryId: lottery.id, prize: 'Hat', winners: ['wh-buyer'], entrants: 1 });

    const order = JSON.stringify({ orderId: 'wh-order-1', viewerId: 'wh-buyer', amount: 20, currency: 'USD', couponCode: code });
    const receipt = await t.http('POST', '/api/webhooks/orders', { raw: order, headers: { 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, order) } });
    expect(receipt.status).toBe(200);
    const attributed = await all.event('order.attributed');
    expect(attributed.body.data).toMatchObject({ orderId: 'wh-order-1', streamId, viewerId: 'wh-buyer', by: 'coupon', amountCents: 2000, currency: 'USD', couponCode: code });

    t.clock.advance(60_000);
    expect((await t.http('POST', `/api/streams/${streamId}/end`, { token: staff })).status).toBe(200);
    const ended = await all.event('stream.ended');
    expect(ended.body.data).toMatchObject({ streamId, title: 'Everything', endedAt: expect.any(Number) });
    const final = await all.event('summary.final');
    expect(final.body.data).toMatchObject({ streamId, summary: { streamId, final: true, uniqueViewers: 1 } });

    // the end-of-stream rollup rates the buyer with the brand for the first time
    const segment = await all.event('segment.changed');
    expect(segment.body.data).toEqual({ viewerId: 'wh-buyer', from: null, to: 'new', score: expect.any(Number), streamId });

    await some.event('stream.ended');
    const events = all.got.map((g) => g.body.event);
    expect(new Set(events)).toEqual(new Set(['stream.started', 'coupon.claimed', 'lottery.drawn', 'order.attributed', 'stream.ended', 'summary.final', 'segment.changed']));
    expect(events.length).toBe(7);
    for (const g of all.got) expect(validSignature(g, secret)).toBe(true);
    // the other endpoint subscribed to stream.ended only
    expect(some.got.map((g) => g.body.event)).toEqual(['stream.ended']);
    expect(new Set(all.got.map((g) => g.body.id)).size).toBe(7);
    const log = await logWhen(brandId, partial.id, (l) => l[0]?.status === 'delivered');
    expect(log).toHaveLength(1);
  });

  it('sends an event emitted twice (an outbox entry delivered again) once, as one delivery', async () => {
    const brandId = 'brand-wh-once';
    const r = await receiver();
    const { id } = await register(brandId, r.url, ['stream.ended']);
    const ctx = t.app.ctx;
    await emitWebhook(ctx, brandId, 'stream.ended', 'stream.ended:s-x', { streamId: 's-x' });
    await r.received(1);
    await logWhen(brandId, id, (l) => l[0]?.status === 'delivered');
    await emitWebhook(ctx, brandId, 'stream.ended', 'stream.ended:s-x', { streamId: 's-x' });
    // another occurrence of the event is another delivery
    await emitWebhook(ctx, brandId, 'stream.ended', 'stream.ended:s-y', { streamId: 's-y' });
    const log = await logWhen(brandId, id, (l) => l.length === 2 && l.every((d) => d.status === 'delivered'));
    expect(log.map((d) => d.attempts)).toEqual([1, 1]);
    expect(r.got.map((g) => g.body.data.streamId)).toEqual(['s-x', 's-y']);
  });

  it('redelivers a logged delivery with the same id and body', async () => {
    const brandId = 'brand-wh-redeliver';
    const r = await receiver();
    const { id, secret } = await register(brandId, r.url, ['stream.started']);
    await t.createStream('Again', brandId, { start: true });
    await r.received(1);
    const [first] = await logWhen(brandId, id, (l) => l[0]?.status === 'delivered');
    const res = await t.http('POST', `/api/brands/${brandId}/webhooks/deliveries/${first.id}/redeliver`, { token: await brandToken(brandId) });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: first.id, status: 'pending', redeliveries: 1 });
    await r.received(2);
    expect(r.got[1]!.body.id).toBe(first.id);
    expect(r.got[1]!.raw).toBe(r.got[0]!.raw);
    expect(validSignature(r.got[1]!, secret)).toBe(true);
    const log = await logWhen(brandId, id, (l) => l[0]?.status === 'delivered' && l[0]?.attempts === 2);
    expect(log).toEqual([expect.objectContaining({ id: first.id, attempts: 2, redeliveries: 1 })]);
  });

  it('lists endpoints without their secrets, removes one, and refuses bad input with 400', async () => {
    const brandId = 'brand-wh-crud';
    const token = await brandToken(brandId);
    const { id } = await register(brandId, 'http://127.0.0.1:9/hook', ['coupon.claimed', 'order.attributed']);
    const list = await t.http('GET', `/api/brands/${brandId}/webhooks`, { token });
    expect(list.body).toEqual({ endpoints: [{ id, url: 'http://127.0.0.1:9/hook', events: ['coupon.claimed', 'order.attributed'], active: true, createdAt: expect.any(Number) }] });

    for (const body of [
      { url: 'ftp://example.com/x', events: ['stream.started'] },
      { url: 'not a url', events: ['stream.started'] },
      { url: 'https://example.com/x', events: [] },
      { url: 'https://example.com/x', events: ['stream.exploded'] },
      { url: 'https://example.com/x', events: ['stream.started', 'stream.started'] },
      { url: 'https://example.com/x', events: ['stream.started'], secret: 'short' },
      { url: 'https://user:pw@example.com/x', events: ['stream.started'] },
      { url: 'https://example.com/x', events: ['stream.started'], extra: 1 },
    ]) {
      const res = await t.http('POST', `/api/brands/${brandId}/webhooks`, { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_payload');
    }
    const supplied = await t.http('POST', `/api/brands/${brandId}/webhooks`, { token, body: { url: 'https://example.com/x', events: ['stream.ended'], secret: 'x'.repeat(32) } });
    expect(supplied.body.secret).toBe('x'.repeat(32));

    expect((await t.http('DELETE', `/api/brands/${brandId}/webhooks/${id}`, { token })).status).toBe(200);
    expect((await t.http('DELETE', `/api/brands/${brandId}/webhooks/${id}`, { token })).status).toBe(404);
    expect((await t.http('GET', `/api/brands/${brandId}/webhooks/${id}/deliveries`, { token })).status).toBe(404);
    expect((await t.http('POST', `/api/brands/${brandId}/webhooks/deliveries/whd_nothing/redeliver`, { token })).status).toBe(404);
    expect((await t.http('GET', `/api/brands/${brandId}/webhooks`, { token })).body.endpoints).toHaveLength(1);
  });

  it('caps the endpoints of a brand', async () => {
    const brandId = 'brand-wh-cap';
    const token = await brandToken(brandId);
    for (let i = 0; i < t.config.WEBHOOK_MAX_ENDPOINTS; i++) await register(brandId, `https://example.com/${i}`, ['stream.started']);
    const over = await t.http('POST', `/api/brands/${brandId}/webhooks`, { token, body: { url: 'https://example.com/over', events: ['stream.started'] } });
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({ code: 'conflict', reason: 'too_many_webhooks' });
  });

  it("refuses another brand's token, staff and viewers with 403", async () => {
    const brandId = 'brand-wh-own';
    const { id } = await register(brandId, 'https://example.com/own', ['stream.started']);
    for (const token of [
      await t.token('brand', 'spy', { brandId: 'brand-wh-other' }),
      await t.token('streamer', 'host', { brandId }),
      await t.token('viewer', 'someone'),
    ]) {
      expect((await t.http('GET', `/api/brands/${brandId}/webhooks`, { token })).status).toBe(403);
      expect((await t.http('POST', `/api/brands/${brandId}/webhooks`, { token, body: { url: 'https://example.com/x', events: ['stream.started'] } })).status).toBe(403);
      expect((await t.http('DELETE', `/api/brands/${brandId}/webhooks/${id}`, { token })).status).toBe(403);
      expect((await t.http('GET', `/api/brands/${brandId}/webhooks/${id}/deliveries`, { token })).status).toBe(403);
    }
    const admin = await t.token('admin', 'root');
    expect((await t.http('GET', `/api/brands/${brandId}/webhooks`, { token: admin })).body.endpoints).toHaveLength(1);
  });
});
