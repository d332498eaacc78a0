import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { StreamerClient } from '@stickyroom/sdk';
import { StreamSummary as StreamSummarySchema } from '@stickyroom/sdk/protocol';
import { viewerActivity } from '../../core/src/activity/activity.store.js';
import { dropKeys, opField } from '../../core/src/coupons/coupons.keys.js';
import { couponCodes } from '../../core/src/coupons/coupons.rewards.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { PrivateRedis } from '../helpers/redis-server.js';
import { RedisProxy } from '../helpers/redis-proxy.js';

/**
 * The claim script's reply is lost after Redis ran it: a proxy between the server and Redis forwards the
 * claim, waits for Redis's answer and closes the server's connection instead of passing it on. The claim
 * committed; the viewer must still get its code, and the ledger must count it once.
 */
let redis: PrivateRedis;
/** Straight to Redis, past the proxy. */
let direct: Redis;
let proxy: RedisProxy;
let t: TestApp;
let host: StreamerClient;
let streamId: string;
let dropId: string;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  proxy = await RedisProxy.start(redis.port);
  direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  t = await startTestApp({ EVENT_RATE_LIMIT: '100000', REDIS_URL: proxy.url }, { redisUrl: redis.url });
  streamId = await t.createStream('Lost replies', 'brand-a', { start: true });
  host = await t.streamer('host-a', 'brand-a');
  await host.join(streamId);
  ({
    drop: { id: dropId },
  } = await host.dropCoupon(streamId, { title: '10% off', discount: { type: 'percent', value: 10 }, quantity: 10, perViewer: 1, durationSec: 600 }));
});
afterAll(async () => {
  await t?.close();
  direct?.disconnect();
  await proxy?.close();
  await redis?.remove();
});

/** The bytes that only this viewer's claim with this opId sends: its refusal key. */
const claimMarker = (viewerId: string, opId: string) => dropKeys(t.app.ctx.keys, streamId, dropId).refusedOp(opField(viewerId, opId));

/** Resolves once the server's command connection has begun `n` reconnection attempts (at the second, ioredis fails what waited). */
function reconnectAttempts(n: number): Promise<void> {
  const conn = t.app.ctx.redis;
  return new Promise((resolve) => {
    let seen = 0;
    const onAttempt = () => {
      if (++seen < n) return;
      conn.off('reconnecting', onAttempt);
      resolve();
    };
    conn.on('reconnecting', onAttempt);
  });
}

async function countedClaims(viewerId: string): Promise<number | undefined> {
  return (await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, viewerId)).couponClaims;
}

describe('a claim whose reply is lost after it committed', () => {
  it('is answered unavailable while Redis stays away, and the retry with the same opId gets its code, counted once', async () => {
    const v = await t.joinedViewer(streamId, 'ann');
    const marker = claimMarker('ann', 'op-ann');
    proxy.count(marker);
    const dropped = proxy.dropReplyAfter(marker, { thenRefuse: true });
    const first = v.request('coupon:claim', { dropId, opId: 'op-ann' });
    await dropped;
    // the server could not tell whether the claim went through
    await expect(first).rejects.toMatchObject({ code: 'unavailable' });
    // Redis ran it once, and ioredis did not resend it (it failed it instead)
    expect(proxy.seen(marker)).toBe(1);
    expect(await direct.hget(dropKeys(t.app.ctx.keys, streamId, dropId).claims, 'ann')).toBe('1');

    await proxy.refuseConnections(false);
    await expect.poll(() => t.app.ctx.redis.status).toBe('ready');
    const { code } = await v.claimCoupon(dropId, { opId: 'op-ann' });
    expect(proxy.seen(marker)).toBe(2);
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    // the code is the one the lost reply carried: an order finds it
    expect(await couponCodes(t.app.ctx).find(code)).toMatchObject({ code, viewerId: 'ann', streamId, dropId });
    expect(await countedClaims('ann')).toBe(1);
  });

  it('is retried by the SDK on its own (unavailable, then the same opId) and gets its code', async () => {
    const v = await t.joinedViewer(streamId, 'bob');
    const marker = claimMarker('bob', 'op-bob');
    proxy.count(marker);
    const attempts = reconnectAttempts(2);
    const dropped = proxy.dropReplyAfter(marker, { thenRefuse: true });
    const claim = v.claimCoupon(dropId, { opId: 'op-bob' });
    await dropped;
    // the second reconnection attempt: ioredis has failed the claim, so the server answered unavailable
    await attempts;
    expect(proxy.seen(marker)).toBe(1);
    await proxy.refuseConnections(false);
    await expect.poll(() => t.app.ctx.redis.status).toBe('ready');
    const { code } = await claim;
    expect(proxy.seen(marker)).toBe(2);
    expect(await couponCodes(t.app.ctx).find(code)).toMatchObject({ code, viewerId: 'bob' });
    expect(await countedClaims('bob')).toBe(1);
  });

  it('resent by ioredis itself when Redis is back at once: the first answer carries the code, which stays findable', async () => {
    const v = await t.joinedViewer(streamId, 'cat');
    const marker = claimMarker('cat', 'op-cat');
    proxy.count(marker);
    const dropped = proxy.dropReplyAfter(marker);
    const first = v.request('coupon:claim', { dropId, opId: 'op-cat' });
    await dropped;
    const { code } = await first;
    // Redis saw the claim twice (the resend), the script answered the second as a replay of the first
    expect(proxy.seen(marker)).toBe(2);
    expect(await couponCodes(t.app.ctx).find(code)).toMatchObject({ code, viewerId: 'cat' });
    expect(await countedClaims('cat')).toBe(1);
  });

  it('leaves the summary counting each committed claim once', async () => {
    const res = await t.http('GET', `/api/streams/${streamId}/summary`, { token: await t.token('brand', 'analyst', { brandId: 'brand-a' }) });
    expect(res.status, res.text).toBe(200);
    const s = StreamSummarySchema.parse(res.body);
    expect({ couponClaims: s.couponClaims, couponClaimers: s.couponClaimers }).toEqual({ couponClaims: 3, couponClaimers: 3 });
    const drop = await t.app.ctx.redis.hget(dropKeys(t.app.ctx.keys, streamId, dropId).meta, 'remaining');
    expect(drop).toBe('7');
  });
});
