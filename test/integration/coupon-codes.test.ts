import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { viewerActivity } from '../../core/src/activity/activity.store.js';
import { CouponCodeStore } from '../../core/src/coupons/coupons.codes.store.js';
import { codeIndexKey, couponKeys, dropKeys, opField } from '../../core/src/coupons/coupons.keys.js';
import { couponCodes, issueRewardCoupon } from '../../core/src/coupons/coupons.rewards.js';
import { couponStore } from '../../core/src/coupons/coupons.service.js';
import { userGate } from '../../core/src/redis/event-gate.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * A code is issued by its stream's script first and indexed globally after, before its holder is told it
 * (CouponCodeStore.index). These force the collisions 60 random bits make astronomically rare, and the
 * crash between the two steps, and check that every code told is unique and findable by an order.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EVENT_RATE_LIMIT: '100000' });
});
afterAll(async () => {
  await t.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const drop = { title: '10% off', discount: { type: 'percent' as const, value: 10 }, quantity: 10, durationSec: 600 };
const CODE = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;
let n = 0;
/** A code of the real shape that no random draw of this test run makes. */
const fixed = (tag: string) => `${tag}${String(n++).padStart(2, '0')}-ZZZZ-ZZZZ`.slice(0, 14);

async function liveDrop() {
  const streamId = await t.createStream('Codes', 'brand-a', { start: true });
  const host = await t.streamer('host-a', 'brand-a');
  await host.join(streamId);
  const { drop: d } = await host.dropCoupon(streamId, drop);
  return { streamId, dropId: d.id };
}

/** The next codes drawn are these, then random ones again. */
function drawNext(...codes: string[]) {
  const spy = vi.spyOn(CouponCodeStore.prototype, 'newCode');
  for (const c of codes) spy.mockReturnValueOnce(c);
  return spy;
}

const redis = () => t.app.ctx.redis;
const indexed = (code: string) => redis().get(codeIndexKey(t.app.ctx.keys, code));

describe('coupon codes issued first, indexed after', () => {
  it('re-codes a winner whose code the index gives to another stream, before telling it either code', async () => {
    const { streamId, dropId } = await liveDrop();
    const mine = await t.joinedViewer(streamId, 'mine');
    const first = await mine.claimCoupon(dropId, { opId: 'first' });
    // the next claim draws another stream's code, then (re-coded) another stream's again, then this
    // stream's own `first` code (the fix-up refuses it), then a random one
    const elsewhere = [fixed('AA'), fixed('AB')];
    for (const c of elsewhere) await redis().set(codeIndexKey(t.app.ctx.keys, c), 'another-stream');
    const draws = drawNext(elsewhere[0]!, elsewhere[1]!, first.code);
    const v = await t.joinedViewer(streamId, 'unlucky');
    const got = await v.claimCoupon(dropId, { opId: 'op' });
    expect(draws).toHaveBeenCalledTimes(4);
    expect(got.code).toMatch(CODE);
    expect([...elsewhere, first.code]).not.toContain(got.code);
    // the other stream's entries are untouched; the winner's code is indexed and recorded, the others not
    for (const c of elsewhere) expect(await indexed(c)).toBe('another-stream');
    expect(await couponCodes(t.app.ctx).find(got.code)).toMatchObject({ code: got.code, viewerId: 'unlucky', streamId, dropId });
    const record = couponKeys(t.app.ctx.keys, streamId).codes;
    expect(await redis().hexists(record, elsewhere[0]!)).toBe(0);
    expect(await redis().hexists(record, elsewhere[1]!)).toBe(0);
    expect(await couponCodes(t.app.ctx).find(first.code)).toMatchObject({ viewerId: 'mine' });
    // a retry is answered the code the viewer was told, once counted and once spent
    expect(await v.claimCoupon(dropId, { opId: 'op' })).toEqual(got);
    expect(await redis().hget(dropKeys(t.app.ctx.keys, streamId, dropId).ops, opField('unlucky', 'op'))).toBe(got.code);
    expect((await viewerActivity(redis(), t.app.ctx.keys, streamId, 'unlucky')).couponClaims).toBe(1);
    expect(await redis().hget(dropKeys(t.app.ctx.keys, streamId, dropId).meta, 'remaining')).toBe('8');
    expect(await redis().hlen(record)).toBe(2);
  });

  it('never issues a code its stream issued already: the claim is asked again with another, counted once', async () => {
    const { streamId, dropId } = await liveDrop();
    const a = await t.joinedViewer(streamId, 'first-holder');
    const taken = fixed('BB');
    drawNext(taken);
    expect(await a.claimCoupon(dropId)).toEqual({ code: taken, dropId });
    drawNext(taken);
    const b = await t.joinedViewer(streamId, 'second');
    const got = await b.claimCoupon(dropId);
    expect(got.code).not.toBe(taken);
    expect(await couponCodes(t.app.ctx).find(taken)).toMatchObject({ viewerId: 'first-holder' });
    expect(await couponCodes(t.app.ctx).find(got.code)).toMatchObject({ viewerId: 'second' });
    expect((await viewerActivity(redis(), t.app.ctx.keys, streamId, 'second')).couponClaims).toBe(1);
    expect(await redis().hget(dropKeys(t.app.ctx.keys, streamId, dropId).meta, 'remaining')).toBe('8');
  });

  it('indexes the code of a claim whose node stopped between the script and the index, when its retry comes', async () => {
    const { streamId, dropId } = await liveDrop();
    const v = await t.joinedViewer(streamId, 'survivor');
    // the script alone, as a node that died right after it would leave it
    const lost = fixed('CC');
    await couponStore(t.app.ctx).claim({ streamId, dropId, viewerId: 'survivor', opId: 'op', code: lost, now: t.clock.now(), stockIntervalMs: 250, refusalReplayMs: 15_000, gate: userGate(t.app.ctx, streamId, 'survivor') });
    expect(await indexed(lost)).toBeNull();
    expect(await v.claimCoupon(dropId, { opId: 'op' })).toEqual({ code: lost, dropId });
    expect(await indexed(lost)).toBe(streamId);
    expect(await couponCodes(t.app.ctx).find(lost)).toMatchObject({ viewerId: 'survivor', dropId });
  });

  it('answers a second fix-up of the same claim (its concurrent retry) with the code the first moved it to', async () => {
    const { streamId, dropId } = await liveDrop();
    const old = fixed('DD');
    const store = couponStore(t.app.ctx);
    await store.claim({ streamId, dropId, viewerId: 'racer', opId: 'op', code: old, now: t.clock.now(), stockIntervalMs: 250, refusalReplayMs: 15_000, gate: userGate(t.app.ctx, streamId, 'racer') });
    const holder = { kind: 'claim' as const, dropId, field: opField('racer', 'op') };
    const [f1, f2] = [fixed('DE'), fixed('DF')];
    expect(await store.recode({ streamId, holder, old, fresh: f1 })).toBe(f1);
    expect(await store.recode({ streamId, holder, old, fresh: f2 })).toBe(f1);
    const record = couponKeys(t.app.ctx.keys, streamId).codes;
    expect(Object.keys(await redis().hgetall(record))).toEqual([f1]);
    expect(JSON.parse((await redis().hget(record, f1))!)).toMatchObject({ code: f1, viewerId: 'racer', dropId, streamId, discount: drop.discount });
  });

  it('re-codes a reward coupon the same way, and gives the same reward the same code again', async () => {
    const { streamId } = await liveDrop();
    const elsewhere = fixed('EE');
    await redis().set(codeIndexKey(t.app.ctx.keys, elsewhere), 'another-stream');
    const v = await t.joinedViewer(streamId, 'quiz-whiz');
    const mine = await v.claimCoupon((await liveDropIn(streamId)).id);
    // another stream's code, then this stream's own code (the reward script refuses it), then random
    drawNext(elsewhere, mine.code);
    const reward = { streamId, brandId: 'brand-a', viewerId: 'quiz-whiz', title: 'quiz prize', discount: { type: 'amount' as const, value: 5 }, source: 'quiz' as const, sourceId: 'q1' };
    const code = await issueRewardCoupon(t.app.ctx, reward);
    expect([elsewhere, mine.code]).not.toContain(code);
    expect(await indexed(elsewhere)).toBe('another-stream');
    expect(await couponCodes(t.app.ctx).find(code)).toMatchObject({ code, source: 'quiz', sourceId: 'q1', viewerId: 'quiz-whiz' });
    expect(await couponCodes(t.app.ctx).find(mine.code)).toMatchObject({ dropId: expect.any(String) });
    expect(await issueRewardCoupon(t.app.ctx, reward)).toBe(code);
  });
});

async function liveDropIn(streamId: string) {
  const host = await t.streamer('host-a', 'brand-a');
  await host.join(streamId);
  return (await host.dropCoupon(streamId, drop)).drop;
}
