import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { User } from '../../core/src/identity/tokens.js';
import { recordActivity } from '../../core/src/activity/activity.store.js';
import { codeIndexKey, dropKeys, opField } from '../../core/src/coupons/coupons.keys.js';
import { claimCoupon, REFUSAL_REPLAY_MS } from '../../core/src/coupons/coupons.service.js';
import { CouponCodeStore } from '../../core/src/coupons/coupons.codes.store.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EVENT_RATE_LIMIT: '100000' });
});
afterAll(async () => {
  await t.close();
});

const drop = { title: '10% off', discount: { type: 'percent' as const, value: 10 }, quantity: 100, durationSec: 600 };

async function liveDrop(extra: Partial<typeof drop> & { minWatchSec?: number } = {}) {
  const streamId = await t.createStream('Retries', 'brand-a', { start: true });
  const host = await t.streamer('host-a', 'brand-a');
  await host.join(streamId);
  const { drop: d } = await host.dropCoupon(streamId, { ...drop, ...extra });
  return { streamId, host, dropId: d.id, keys: dropKeys(t.app.ctx.keys, streamId, d.id) };
}

/** Codes of the global index that point at this stream: what an order could find. */
async function indexedCodes(streamId: string): Promise<number> {
  const redis = t.app.ctx.redis;
  const pattern = codeIndexKey(t.app.ctx.keys, '*');
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) n += (await redis.mget(...keys)).filter((s) => s === streamId).length;
  } while (cursor !== '0');
  return n;
}

describe('coupon claim retries (opId)', () => {
  it('answers refused claims in one script call that reserves no code, and still replays a winner its code', async () => {
    const { streamId, dropId } = await liveDrop({ quantity: 2 });
    const user = (id: string): User => ({ id, role: 'viewer', name: id });
    const claim = (id: string, opId: string) => claimCoupon(t.app.ctx, user(id), { dropId, opId }, t.clock.now(), () => undefined);
    const index = vi.spyOn(CouponCodeStore.prototype, 'index');
    try {
      const first = await claim('w1', 'a');
      await claim('w2', 'a');
      // the winners' codes were indexed after the script issued them
      expect(index).toHaveBeenCalledTimes(2);
      const late = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => claim(`late-${i}`, 'a')));
      expect(late.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'))).toEqual(Array(50).fill('sold_out'));
      // no refusal touched the global index
      expect(index).toHaveBeenCalledTimes(2);
      // a winner's retry is answered from the ops hash by the script, and its code indexed again (a no-op here)
      expect(await claim('w1', 'a')).toEqual(first);
    } finally {
      index.mockRestore();
    }
    expect(await indexedCodes(streamId)).toBe(2);
  });

  it('keeps the ops hash to the codes given after 10,000 refused claims, and still replays the code', async () => {
    const { streamId, host, dropId, keys } = await liveDrop();
    const v = await t.joinedViewer(streamId, 'hoarder');
    const won = await v.claimCoupon(dropId, { opId: 'won' });

    // 10,000 refused claims (the viewer holds its one code), each with its own opId, through the service
    const user: User = { id: 'hoarder', role: 'viewer', name: 'hoarder' };
    const refusals = new Map<string, number>();
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.allSettled(
        Array.from({ length: 500 }, (_, i) => claimCoupon(t.app.ctx, user, { dropId, opId: `spam-${batch * 500 + i}` }, t.clock.now(), () => undefined)),
      );
      for (const r of results) {
        const code = r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok';
        refusals.set(code, (refusals.get(code) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(refusals)).toEqual({ already_done: 10_000 });

    const redis = t.app.ctx.redis;
    expect(await redis.hgetall(keys.ops)).toEqual({ [opField('hoarder', 'won')]: won.code });
    // each refusal is kept on its own key that expires within the replay window
    const ttls = await Promise.all([0, 4_999, 9_999].map((i) => redis.pttl(keys.refusedOp(opField('hoarder', `spam-${i}`)))));
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(REFUSAL_REPLAY_MS);
    }
    // no refused claim left a code in the global index (a claim reserves one only once it won)
    expect(await indexedCodes(streamId)).toBe(1);

    expect(await v.claimCoupon(dropId, { opId: 'won' })).toEqual(won);
    await expect(v.claimCoupon(dropId, { opId: 'spam-42' })).rejects.toMatchObject({ code: 'already_done' });
    // after the drop ends the code is still answered to a late retry, and the hash expires a day later
    await host.endDrop(dropId);
    expect(await v.claimCoupon(dropId, { opId: 'won' })).toEqual(won);
    const opsTtl = await redis.pttl(keys.ops);
    expect(opsTtl).toBeGreaterThan(0);
    expect(opsTtl).toBeLessThanOrEqual(86_400_000);
    expect((await v.join(streamId)).drops).toEqual([]);
  });

  it('answers a retried refused claim with the same refusal within the window, and a new attempt afresh', async () => {
    const { streamId, dropId, keys } = await liveDrop({ minWatchSec: 60 });
    const v = await t.joinedViewer(streamId, 'early-bird');
    await expect(v.claimCoupon(dropId, { opId: 'first' })).rejects.toMatchObject({ code: 'not_eligible' });
    await recordActivity(t.app.ctx.redis, t.app.ctx.keys, { streamId, viewerId: 'early-bird', metric: 'watchMs', n: 60_000, at: t.clock.now() });
    // the lost-ack retry of the first attempt hears what the first attempt was told
    await expect(v.claimCoupon(dropId, { opId: 'first' })).rejects.toMatchObject({ code: 'not_eligible' });
    const ttl = await t.app.ctx.redis.pttl(keys.refusedOp(opField('early-bird', 'first')));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(REFUSAL_REPLAY_MS);
    // a new tap is a new attempt
    const got = await v.claimCoupon(dropId, { opId: 'second' });
    expect(got.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await t.app.ctx.redis.hlen(keys.ops)).toBe(1);
  });

  it('expires the ops hash of a drop that sells out on its first claim', async () => {
    const { streamId, dropId, keys } = await liveDrop({ quantity: 1 });
    const v = await t.joinedViewer(streamId, 'only-one');
    const got = await v.claimCoupon(dropId, { opId: 'op' });
    expect(await v.claimCoupon(dropId, { opId: 'op' })).toEqual(got);
    expect(await t.app.ctx.redis.pttl(keys.ops)).toBeGreaterThan(0);
  });

  it('does not let a viewer whose id looks like a prefix replay another viewer\'s claim', async () => {
    const { streamId, dropId } = await liveDrop();
    const a = await t.joinedViewer(streamId, 'ann:x');
    const mine = await a.claimCoupon(dropId, { opId: 'y' });
    const b = await t.joinedViewer(streamId, 'ann');
    const theirs = await b.claimCoupon(dropId, { opId: 'x:y' });
    expect(theirs.code).not.toBe(mine.code);
  });
});
