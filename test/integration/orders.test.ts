import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamTotals, viewerActivity } from '../../core/src/activity/activity.store.js';
import { orderStore } from '../../core/src/orders/orders.service.js';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { startTestApp, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ POINTS_PER_CURRENCY_UNIT: '2' });
});
afterAll(async () => {
  await t.close();
});

function deliver(body: unknown, opts: { secret?: string; tamper?: (raw: string) => string; signature?: string | null } = {}) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = {};
  if (opts.signature !== null) headers['x-stickyroom-signature'] = opts.signature ?? signBody(opts.secret ?? TEST_WEBHOOK_SECRET, raw);
  return t.http('POST', '/api/webhooks/orders', { raw: opts.tamper ? opts.tamper(raw) : raw, headers });
}

const activity = (streamId: string, viewerId: string) => viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, viewerId);

async function claimedCode(viewerId: string): Promise<{ streamId: string; code: string }> {
  const streamId = await t.createStream('Orders', 'brand-a', { start: true });
  const host = await t.streamer('host-a');
  const { drop } = await host.dropCoupon(streamId, { title: '5 off', discount: { type: 'amount', value: 5 }, quantity: 10, durationSec: 600 });
  const v = await t.viewer(viewerId);
  await v.join(streamId);
  const { code } = await v.claimCoupon(drop.id);
  return { streamId, code };
}

describe('order webhook', () => {
  it('attributes an order to the coupon\'s stream and the buyer, redeems the coupon, and grants points', async () => {
    const { streamId, code } = await claimedCode('buyer-1');
    // the buyer has since joined another stream: the coupon's stream still wins
    const other = await t.createStream('Other', 'brand-a', { start: true });
    const v = await t.viewer('buyer-1');
    await v.join(other);
    const reward = v.once('reward:granted', (r) => r.source === 'order');
    const res = await deliver({ orderId: 'o-100', viewerId: 'buyer-1', amount: 49.99, currency: 'EUR', couponCode: code.toLowerCase() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, orderId: 'o-100', duplicate: false, attribution: { by: 'coupon', streamId, viewerId: 'buyer-1' }, coupon: 'redeemed', points: 99 });
    expect(await reward).toMatchObject({ points: 99, sourceId: 'o-100' });
    expect(await activity(streamId, 'buyer-1')).toMatchObject({ orders: 1, revenueCents: 4999, couponRedemptions: 1 });
    expect((await activity(other, 'buyer-1')).orders).toBeUndefined();
    expect(await orderStore(t.app.ctx).ordersOf('brand-a', 'buyer-1')).toBe(1);
    expect(await v.points('brand-a')).toMatchObject({ balance: 99 });
  });

  it('counts a replayed order once, concurrent deliveries included, and says duplicate', async () => {
    const { streamId, code } = await claimedCode('buyer-2');
    const body = { orderId: 'o-200', viewerId: 'buyer-2', amount: 10, currency: 'USD', couponCode: code };
    const all = await Promise.all(Array.from({ length: 5 }, () => deliver(body)));
    // a delivery racing the one counting the order hears 409 (retry later), never a second count
    for (const r of all) expect([200, 409]).toContain(r.status);
    const counted = all.filter((r) => r.status === 200 && r.body.duplicate === false);
    expect(counted).toHaveLength(1);
    const again = await deliver(body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, attribution: { by: 'coupon', streamId } });
    expect(await activity(streamId, 'buyer-2')).toMatchObject({ orders: 1, revenueCents: 1000, couponRedemptions: 1 });
    expect((await streamTotals(t.app.ctx.redis, t.app.ctx.keys, streamId)).orders).toBe(1);
    // a second order with the same code counts as an order, not as a second redemption
    const second = await deliver({ ...body, orderId: 'o-201' });
    expect(second.body).toMatchObject({ duplicate: false, coupon: 'already_redeemed' });
    expect(await activity(streamId, 'buyer-2')).toMatchObject({ orders: 2, couponRedemptions: 1 });
    expect(await orderStore(t.app.ctx).ordersOf('brand-a', 'buyer-2')).toBe(2);
  });

  it('answers 401 to a wrong secret, a missing signature and a tampered body, and counts nothing', async () => {
    const streamId = await t.createStream('Sig', 'brand-a', { start: true });
    const body = { orderId: 'o-300', viewerId: 'mallory', amount: 1, currency: 'USD', streamId };
    expect((await deliver(body, { secret: 'not-the-secret-0123456789' })).status).toBe(401);
    expect((await deliver(body, { signature: null })).status).toBe(401);
    expect((await deliver(body, { signature: 'sha256=' })).status).toBe(401);
    const tampered = await deliver(body, { tamper: (raw) => raw.replace('"amount":1', '"amount":1000') });
    expect(tampered.status).toBe(401);
    expect(tampered.body.error.code).toBe('unauthorized');
    expect((await activity(streamId, 'mallory')).orders).toBeUndefined();
    const bad = await deliver({ orderId: 'o-301', viewerId: 'mallory', amount: -5, currency: 'USD' });
    expect(bad.status).toBe(400);
  });

  it('checks the signature on the raw bytes before parsing them: an unsigned {bad is 401, a signed one 400', async () => {
    const post = (raw: string, headers: Record<string, string> = {}) => t.http('POST', '/api/webhooks/orders', { raw, headers });
    const sign = (raw: string) => ({ 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, raw) });
    const unsigned = await post('{bad');
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toBe('unauthorized');
    expect((await post('{bad', { 'x-stickyroom-signature': signBody('not-the-secret-0123456789', '{bad') })).status).toBe(401);
    expect((await post('{bad', { 'x-stickyroom-signature': 'sha256=zz' })).status).toBe(401);
    const signedBad = await post('{bad', sign('{bad'));
    expect(signedBad.status).toBe(400);
    expect(signedBad.body.error).toEqual({ code: 'invalid_payload', message: 'body is not valid JSON' });
    // any content type: the bytes are what is signed; an unsigned one is refused whatever it is
    expect((await post('{bad', { 'content-type': 'text/plain' })).status).toBe(401);
    const order = JSON.stringify({ orderId: 'o-500', viewerId: 'raw-buyer', amount: 3, currency: 'USD' });
    const asText = await post(order, { ...sign(order), 'content-type': 'text/plain' });
    expect(asText.status).toBe(200);
    expect(asText.body).toMatchObject({ ok: true, orderId: 'o-500', duplicate: false });
    // the hex digest in capitals is the same signature
    const upper = JSON.stringify({ orderId: 'o-501', viewerId: 'raw-buyer', amount: 3, currency: 'USD' });
    expect((await post(upper, { 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, upper).toUpperCase() })).status).toBe(200);
  });

  it('refuses a body over the limit with 413 and a clear code, and an unsigned one with 401, never a stack', async () => {
    const huge = JSON.stringify({ orderId: 'o-600', viewerId: 'big', amount: 1, currency: 'USD', pad: 'x'.repeat(70_000) });
    const unsigned = await t.http('POST', '/api/webhooks/orders', { raw: huge });
    expect(unsigned.status).toBe(401);
    const signed = await t.http('POST', '/api/webhooks/orders', { raw: huge, headers: { 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, huge) } });
    expect(signed.status).toBe(413);
    expect(signed.body.error).toEqual({ code: 'invalid_payload', reason: 'too_large', message: 'body larger than 65536 bytes' });
    // the same limit on every JSON route
    const token = await t.token('streamer', 'host');
    const big = await t.http('POST', '/api/streams', { token, raw: JSON.stringify({ title: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'invalid_payload', reason: 'too_large' });
    // a compressed body is not what was signed: refused as unreadable, not as a server error
    const small = JSON.stringify({ orderId: 'o-601', viewerId: 'zip', amount: 1, currency: 'USD' });
    const zipped = await t.http('POST', '/api/webhooks/orders', { raw: small, headers: { 'content-encoding': 'gzip', 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, small) } });
    expect(zipped.status).toBe(415);
    expect(zipped.body.error.code).toBe('invalid_payload');
    for (const res of [unsigned, signed, big, zipped]) expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('falls back to the body\'s stream, then to the stream the viewer joined last', async () => {
    const named = await t.createStream('Named', 'brand-a', { start: true });
    const viaBody = await deliver({ orderId: 'o-400', viewerId: 'buyer-4', amount: 20, currency: 'USD', streamId: named });
    expect(viaBody.body.attribution).toEqual({ by: 'stream', streamId: named, viewerId: 'buyer-4' });
    const watched = await t.createStream('Watched', 'brand-a', { start: true });
    const v = await t.viewer('buyer-4');
    await v.join(watched);
    const viaJoin = await deliver({ orderId: 'o-401', viewerId: 'buyer-4', amount: 5, currency: 'USD', couponCode: 'NOT-A-REAL-CODE' });
    expect(viaJoin.body).toMatchObject({ attribution: { by: 'last_join', streamId: watched }, coupon: 'unknown' });
    expect(await activity(watched, 'buyer-4')).toMatchObject({ orders: 1, revenueCents: 500 });
    const nowhere = await deliver({ orderId: 'o-402', viewerId: 'stranger', amount: 5, currency: 'USD' });
    expect(nowhere.body).toMatchObject({ duplicate: false, attribution: { by: 'none', viewerId: 'stranger' } });
    expect((await deliver({ orderId: 'o-402', viewerId: 'stranger', amount: 5, currency: 'USD' })).body.duplicate).toBe(true);
  });
});
