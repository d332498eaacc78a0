import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StreamerClient, ViewerClient } from '@stickyroom/sdk';
import { AppError } from '../../core/src/errors.js';
import { CouponStore } from '../../core/src/coupons/coupons.store.js';
import { CLAIM_WINDOW_SLACK } from '../../core/src/coupons/coupons.latch.js';
import { couponCodes } from '../../core/src/coupons/coupons.rewards.js';
import { userGate } from '../../core/src/redis/event-gate.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * The node's latch of ended drops (core/src/coupons/coupons.latch.ts): once a node saw a drop sold out or
 * closed, a claim that cannot be a replay (`fresh`, or no opId) is refused by the node without Redis; a
 * retry still reaches the script and gets the code its claim won.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const drop = { title: '10% off', discount: { type: 'percent' as const, value: 10 }, quantity: 2, durationSec: 600 };

async function liveDrop(extra: Partial<typeof drop> = {}): Promise<{ streamId: string; host: StreamerClient; dropId: string }> {
  const streamId = await t.createStream('Latch', 'brand-a', { start: true });
  const host = await t.streamer('host-a', 'brand-a');
  await host.join(streamId);
  const { drop: d } = await host.dropCoupon(streamId, { ...drop, ...extra });
  return { streamId, host, dropId: d.id };
}

/** Claims answered by the node from its latch (`latched="true"`), by outcome, as /metrics shows them. */
async function latchedClaims(outcome: string): Promise<number> {
  const text = await t.app.ctx.metrics.registry.getSingleMetricAsString('stickyroom_coupon_claims_total');
  const line = text.split('\n').find((l) => l.includes(`outcome="${outcome}"`) && l.includes('latched="true"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** What a viewer's SDK sent as `coupon:claim`. */
function sentClaims(v: ViewerClient): unknown[] {
  const sent: unknown[] = [];
  v.socket.onAnyOutgoing((event: string, payload: unknown) => {
    if (event === 'coupon:claim') sent.push(payload);
  });
  return sent;
}

describe('the sold-out latch', () => {
  it('refuses fresh claims of a drop the node saw sell out, with the same answer and no script call', async () => {
    const { streamId, dropId } = await liveDrop();
    const [w1, w2, ...late] = await Promise.all(['l-w1', 'l-w2', 'l-1', 'l-2', 'l-3', 'l-4'].map((id) => t.joinedViewer(streamId, id)));
    await w1!.claimCoupon(dropId);
    // the last coupon: the node learns the drop sold out from this claim's own answer
    await w2!.claimCoupon(dropId);
    const before = await latchedClaims('sold_out');
    const script = vi.spyOn(CouponStore.prototype, 'claim');
    try {
      const results = await Promise.allSettled(late.map((v) => v.claimCoupon(dropId)));
      for (const r of results) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'sold_out', claimed: 2, message: 'no coupons left' });
      }
      // a claim with no opId can never be a replay: latched too
      await expect(late[0]!.request('coupon:claim', { dropId })).rejects.toMatchObject({ code: 'sold_out', claimed: 2 });
      expect(script).not.toHaveBeenCalled();
    } finally {
      script.mockRestore();
    }
    expect((await latchedClaims('sold_out')) - before).toBe(5);
  });

  it('lets at most the stock left (and the slack) go to the script in a burst of fresh claims: the rest wait for the sell-out and are refused by the node', async () => {
    const { streamId, dropId } = await liveDrop({ quantity: 3 });
    const n = 3 + CLAIM_WINDOW_SLACK + 40;
    const viewers = await Promise.all(Array.from({ length: n }, (_, i) => t.joinedViewer(streamId, `burst-${i}`)));
    const script = vi.spyOn(CouponStore.prototype, 'claim');
    const latchedBefore = await latchedClaims('sold_out');
    let results: PromiseSettledResult<{ code: string }>[];
    try {
      results = await Promise.allSettled(viewers.map((v) => v.claimCoupon(dropId)));
      // the stock and the slack at most: the other 40 or more waited and were refused by the node
      expect(script.mock.calls.length).toBeGreaterThanOrEqual(3);
      expect(script.mock.calls.length).toBeLessThanOrEqual(3 + CLAIM_WINDOW_SLACK);
    } finally {
      script.mockRestore();
    }
    expect((await latchedClaims('sold_out')) - latchedBefore).toBeGreaterThanOrEqual(40);
    const codes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.code] : []));
    expect(new Set(codes).size).toBe(3);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string; claimed?: number })] : []));
    expect(refusals).toHaveLength(n - 3);
    for (const e of refusals) expect(e).toMatchObject({ code: 'sold_out', claimed: 3 });
  });

  it('sends the waiting fresh claims on when claims in flight are refused (a viewer at its limit): the stock still goes', async () => {
    const { streamId, dropId } = await liveDrop({ quantity: 2 });
    const holder = await t.joinedViewer(streamId, 'w-holder');
    await holder.claimCoupon(dropId);
    // one coupon left: the holder's tabs claim first (refused already_done), the others wait, then one wins
    const tabs = await Promise.all([0, 1].map(() => t.joinedViewer(streamId, 'w-holder')));
    const others = await Promise.all(['w-1', 'w-2', 'w-3'].map((id) => t.joinedViewer(streamId, id)));
    const results = await Promise.allSettled([...tabs, ...others].map((v) => v.claimCoupon(dropId)));
    const outcome = results.map((r) => (r.status === 'fulfilled' ? 'code' : (r.reason as { code: string }).code));
    expect(outcome.filter((o) => o === 'code')).toHaveLength(1);
    expect(outcome.slice(0, 2).every((o) => o === 'already_done' || o === 'sold_out')).toBe(true);
    expect(outcome.filter((o) => o === 'sold_out' || o === 'already_done')).toHaveLength(4);
  });

  it('learns a sell-out from a refusal of the script, and leaves not_joined and audience refusals as they were', async () => {
    const { streamId, host, dropId } = await liveDrop({ quantity: 1 });
    // the drop sells out through the script directly (another node, as far as this one knows)
    await couponStoreClaim(streamId, dropId, 'elsewhere');
    const v = await t.joinedViewer(streamId, 'learner');
    const script = vi.spyOn(CouponStore.prototype, 'claim');
    try {
      await expect(v.claimCoupon(dropId)).rejects.toMatchObject({ code: 'sold_out', claimed: 1 });
      expect(script).toHaveBeenCalledTimes(1);
      await expect(v.request('coupon:claim', { dropId, opId: 'second', fresh: true })).rejects.toMatchObject({ code: 'sold_out', claimed: 1 });
      expect(script).toHaveBeenCalledTimes(1);
    } finally {
      script.mockRestore();
    }
    const outsider = await t.viewer('outsider');
    await expect(outsider.request('coupon:claim', { dropId, fresh: true })).rejects.toMatchObject({ code: 'forbidden' });
    // a drop the streamer ended is latched `closed`
    const { drop: other } = await host.dropCoupon(streamId, drop);
    await host.endDrop(other.id);
    await expect(v.request('coupon:claim', { dropId: other.id, fresh: true })).rejects.toMatchObject({ code: 'closed' });
    expect(await latchedClaims('closed')).toBeGreaterThanOrEqual(1);
  });

  it('sends a retry (same opId, no flag) to the script: the claim that won gets its code after the node latched', async () => {
    const { streamId, dropId } = await liveDrop();
    const winner = await t.joinedViewer(streamId, 'r-win');
    const other = await t.joinedViewer(streamId, 'r-other');
    const won = await winner.request('coupon:claim', { dropId, opId: 'won', fresh: true });
    await other.claimCoupon(dropId);
    await expect(other.claimCoupon(dropId)).rejects.toMatchObject({ code: 'already_done' });
    const late = await t.joinedViewer(streamId, 'r-late');
    await expect(late.claimCoupon(dropId)).rejects.toMatchObject({ code: 'sold_out' });
    // the lost-ack retry of the winning claim
    expect(await winner.request('coupon:claim', { dropId, opId: 'won' })).toEqual(won);
    expect(await winner.claimCoupon(dropId, { opId: 'won' })).toEqual(won);
    // a client that marks a retry fresh is told sold_out: it only hurts itself
    await expect(winner.request('coupon:claim', { dropId, opId: 'won', fresh: true })).rejects.toMatchObject({ code: 'sold_out' });
  });
});

describe("the SDK's fresh flag", () => {
  it('goes with the first attempt of an opId the SDK made, not with its retry, an app opId, or a drop it holds a code of', async () => {
    const { streamId, host, dropId } = await liveDrop({ quantity: 10 });
    const v = await t.joinedViewer(streamId, 'flagger');
    const sent = sentClaims(v);
    // the first attempt is answered unavailable (the server could not tell): the SDK retries with the same opId
    const script = vi.spyOn(CouponStore.prototype, 'claim').mockRejectedValueOnce(new AppError('unavailable', 'storage is unavailable, try again shortly', { retryAfterMs: 50 }));
    let code: string;
    try {
      ({ code } = await v.claimCoupon(dropId));
    } finally {
      script.mockRestore();
    }
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const [first, retry] = sent as { opId: string }[];
    expect(first).toEqual({ dropId, opId: expect.any(String), fresh: true });
    expect(retry).toEqual({ dropId, opId: first!.opId });
    // a drop this client got a code of: the script answers (already_done, as before the latch)
    await expect(v.claimCoupon(dropId)).rejects.toMatchObject({ code: 'already_done' });
    expect(sent[2]).toEqual({ dropId, opId: expect.any(String) });
    // an opId the app chose may be a retry of its own
    const { drop: d2 } = await host.dropCoupon(streamId, drop);
    await v.claimCoupon(d2.id, { opId: 'app-op' });
    expect(sent[3]).toEqual({ dropId: d2.id, opId: 'app-op' });
    expect(sent).toHaveLength(4);
  });
});

/** One claim through the store, as another node would make it (its answer never reaches this node's latch). */
async function couponStoreClaim(streamId: string, dropId: string, viewerId: string): Promise<void> {
  const store = new CouponStore(t.app.ctx.redis, t.app.ctx.keys);
  const gate = { ...userGate(t.app.ctx, streamId, viewerId), limit: 0 };
  await store.claim({ streamId, dropId, viewerId, code: couponCodes(t.app.ctx).newCode(), now: t.clock.now(), stockIntervalMs: 250, refusalReplayMs: 15_000, gate });
}
