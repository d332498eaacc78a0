import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewerClient } from '@stickyroom/sdk';
import { pointsKeys } from '../../core/src/points/points.keys.js';
import { grantPoints } from '../../core/src/points/points.service.js';
import { viewerPoints } from '../../core/src/points/points.store.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { record, seedStream } from './rollup-fixtures.js';

const DAY = 86_400_000;
const BRAND = 'brand-r';

let t: TestApp;
let brandToken: string;
beforeAll(async () => {
  t = await startTestApp({ POINTS_EXPIRE_DAYS: '30', POINTS_STREAM_CAP: '1000000' });
  brandToken = await t.token('brand', 'team-r', { brandId: BRAND });
});
afterAll(async () => {
  await t.close();
});

const grant = (viewerId: string, points: number, sourceId: string, brandId = BRAND) =>
  grantPoints(t.app.ctx, { brandId, viewerId, streamId: 's-r', points, source: 'order', sourceId });

async function createReward(body: Record<string, unknown>, token = brandToken, brandId = BRAND) {
  const res = await t.http('POST', `/api/brands/${brandId}/rewards`, { token, body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; stock: number; redeemed: number };
}

const rewardOf = async (id: string) => {
  const res = await t.http('GET', `/api/brands/${BRAND}/rewards`, { token: brandToken });
  return (res.body.rewards as { id: string; stock: number; redeemed: number; active: boolean }[]).find((r) => r.id === id);
};

describe('points redemption', () => {
  it('300 viewers redeeming a reward of stock 50 at once get exactly 50; balances stay exact', async () => {
    const reward = await createReward({ title: 'Tote bag', kind: 'gift', cost: 100, stock: 50 });
    const viewers: ViewerClient[] = [];
    for (let batch = 0; batch < 6; batch++) {
      viewers.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => t.viewer(`rush-${batch * 50 + i}`)))));
    }
    await Promise.all(viewers.map((_, i) => grant(`rush-${i}`, 250, `seed-${i}`)));

    const results = await Promise.allSettled(viewers.map((v) => v.redeem(reward.id)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(50);
    expect(refused).toHaveLength(250);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'sold_out' });
    for (const r of ok) expect(r.value).toMatchObject({ redemption: { rewardId: reward.id, cost: 100 }, balance: { balance: 150 } });
    expect(new Set(ok.map((r) => r.value.redemption.id)).size).toBe(50);

    expect(await rewardOf(reward.id)).toMatchObject({ stock: 0, redeemed: 50 });
    const balances = await Promise.all(viewers.map((v) => v.points(BRAND)));
    expect(balances.filter((b) => b.balance === 150)).toHaveLength(50);
    expect(balances.filter((b) => b.balance === 250)).toHaveLength(250);
    for (const v of viewers) v.close();
  });

  it('spends the points that expire soonest first, and reports what expires next exactly', async () => {
    const start = t.clock.now();
    await grant('saver', 40, 'old'); // expires in 30 days
    t.clock.advance(29 * DAY);
    await grant('saver', 100, 'new'); // expires in 30 days from now: the old lot expires tomorrow
    const v = await t.viewer('saver');
    const before = await v.points(BRAND);
    expect(before).toMatchObject({ balance: 140, expiring: { points: 40 } });
    expect(before.expiring!.at).toBe((Math.floor(start / DAY) + 31) * DAY);

    const reward = await createReward({ title: 'Sticker', kind: 'gift', cost: 30, stock: 10 });
    const got = await v.redeem(reward.id);
    // 30 taken from the lot expiring tomorrow, none from next month's
    expect(got.balance).toMatchObject({ balance: 110, expiring: { points: 10, at: before.expiring!.at } });
    const again = await v.redeem(reward.id);
    // 10 left in tomorrow's lot, 20 from next month's
    expect(again.balance).toMatchObject({ balance: 80, expiring: { points: 80 } });
    expect(again.balance.expiring!.at).toBeGreaterThan(before.expiring!.at + 25 * DAY);
    expect(await v.points(BRAND)).toEqual(again.balance);

    // unexpired points only: once tomorrow's lot would have expired, it could not be spent
    await grant('late', 50, 'l-old');
    t.clock.advance(31 * DAY);
    await grant('late', 20, 'l-new');
    const late = await t.viewer('late');
    await expect(late.redeem(reward.id)).rejects.toMatchObject({ code: 'insufficient_points' });
    expect((await late.points(BRAND)).balance).toBe(20);
  });

  it('spends points kept in the layout before (three hashes per viewer), folding them in first', async () => {
    const { redis, keys } = t.app.ctx;
    const k = pointsKeys(keys, BRAND, 'oldtimer');
    const today = Math.floor(t.clock.now() / DAY);
    await redis.hset(k.old.lots, String(today + 3), '25', String(today + 20), '50', String(today - 1), '9');
    await redis.hset(k.old.grants, 'order:o-1', '84');
    await redis.hset(k.old.streams, 's-r', '0');
    const v = await t.viewer('oldtimer');
    expect(await v.points(BRAND)).toMatchObject({ balance: 75, expiring: { points: 25, at: (today + 4) * DAY } });
    const reward = await createReward({ title: 'Pin', kind: 'gift', cost: 30, stock: 5 });
    const got = await v.redeem(reward.id);
    // 25 from the lot expiring in 3 days, 5 from the one in 20 days; the expired one is gone
    expect(got.balance).toMatchObject({ balance: 45, expiring: { points: 45, at: (today + 21) * DAY } });
    expect(await redis.exists(k.old.lots, k.old.grants, k.old.streams)).toBe(0);
    expect(await viewerPoints(redis, keys, BRAND, 'oldtimer')).toEqual({ lots: { [today + 20]: 45 }, grants: { 'order:o-1': 84 }, streams: { 's-r': 0 } });
    expect(await grant('oldtimer', 84, 'o-1')).toBe(0);
    expect(await grant('oldtimer', 10, 'o-2')).toBe(10);
    expect(await v.points(BRAND)).toMatchObject({ balance: 55 });
  });

  it('refuses without enough points, below the tier, past the per-viewer limit, and an inactive reward', async () => {
    const v = await t.viewer('picky');
    await grant('picky', 600, 'p1');
    const pricey = await createReward({ title: 'Blender', kind: 'gift', cost: 1000, stock: 5 });
    await expect(v.redeem(pricey.id)).rejects.toMatchObject({ code: 'insufficient_points', message: 'not enough points: you have 600' });

    const gold = await createReward({ title: 'VIP pass', kind: 'gift', cost: 10, stock: 5, minTier: 'gold' });
    await expect(v.redeem(gold.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'min_tier' });
    const silver = await createReward({ title: 'Silver mug', kind: 'gift', cost: 10, stock: 5, minTier: 'silver' });
    await expect(v.redeem(silver.id)).resolves.toMatchObject({ balance: { balance: 590 } });

    const once = await createReward({ title: 'Sample', kind: 'gift', cost: 5, stock: 10, perViewer: 1 });
    await v.redeem(once.id);
    await expect(v.redeem(once.id)).rejects.toMatchObject({ code: 'already_done' });

    const off = await t.http('PATCH', `/api/brands/${BRAND}/rewards/${silver.id}`, { token: brandToken, body: { active: false } });
    expect(off.status, off.text).toBe(200);
    expect(off.body).toMatchObject({ active: false });
    await expect(v.redeem(silver.id)).rejects.toMatchObject({ code: 'closed' });
    expect((await v.rewards(BRAND)).rewards.map((r) => r.id)).not.toContain(silver.id);
    await expect(v.redeem(`${BRAND}.nosuch`)).rejects.toMatchObject({ code: 'not_found' });
    // nothing refused was charged
    expect((await v.points(BRAND)).balance).toBe(585);
  });

  it('answers the same redemption to the same opId, charged once; a coupon hands out a code', async () => {
    const v = await t.viewer('twice');
    await grant('twice', 100, 't1');
    const coupon = await createReward({ title: '10% off', kind: 'coupon', cost: 40, stock: 3 });
    const first = await v.redeem(coupon.id, { opId: 'op-1' });
    expect(first.redemption.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const second = await v.redeem(coupon.id, { opId: 'op-1' });
    expect(second.redemption).toEqual(first.redemption);
    expect(second.balance.balance).toBe(60);
    expect(await rewardOf(coupon.id)).toMatchObject({ stock: 2, redeemed: 1 });
    const third = await v.redeem(coupon.id, { opId: 'op-2' });
    expect(third.redemption.id).not.toBe(first.redemption.id);
    expect(third.redemption.code).not.toBe(first.redemption.code);
    expect(third.balance.balance).toBe(20);
    // an opId names a redemption of one reward: on another reward it is another redemption
    const gift = await createReward({ title: 'Pen', kind: 'gift', cost: 5, stock: 3 });
    const other = await v.redeem(gift.id, { opId: 'op-1' });
    expect(other.redemption).toMatchObject({ rewardId: gift.id, cost: 5 });
    expect(other.balance.balance).toBe(15);
  });

  it('records a raffle ticket and shows redemptions in the viewer profile', async () => {
    const v = await t.viewer('raffler');
    await grant('raffler', 100, 'r1');
    const raffle = await createReward({ title: 'Ticket for the next lottery', kind: 'raffle', cost: 25, stock: 100 });
    const got = await v.redeem(raffle.id);
    expect(got.redemption.code).toBeUndefined();
    const { rewardsStore } = await import('../../core/src/points/points.rewards.js');
    expect(await rewardsStore(t.app.ctx).raffleTickets(BRAND, 'raffler')).toBe(1);
    const list = await rewardsStore(t.app.ctx).viewerRedemptions(BRAND, 'raffler');
    expect(list).toEqual([{ id: got.redemption.id, rewardId: raffle.id, viewerId: 'raffler', kind: 'raffle', title: 'Ticket for the next lottery', cost: 25, at: t.clock.now() }]);
  });

  it('refuses an invalid payload without a change', async () => {
    const v = await t.viewer('sloppy');
    await grant('sloppy', 100, 's1');
    const reward = await createReward({ title: 'Pin', kind: 'gift', cost: 10, stock: 2 });
    await expect(v.request('points:redeem', { rewardId: reward.id, extra: 1 } as never)).rejects.toMatchObject({ code: 'invalid_payload' });
    await expect(v.request('points:redeem', { rewardId: 'no-dot' } as never)).rejects.toMatchObject({ code: 'invalid_payload' });
    await expect(v.request('points:redeem', { rewardId: reward.id, opId: '' } as never)).rejects.toMatchObject({ code: 'invalid_payload' });
    expect((await v.points(BRAND)).balance).toBe(100);
    expect(await rewardOf(reward.id)).toMatchObject({ stock: 2, redeemed: 0 });
  });

  it('lets only the brand team and admins manage the catalog; staff of the brand read it', async () => {
    const body = { title: 'Cap', kind: 'gift', cost: 50, stock: 3 };
    const noToken = await t.http('POST', `/api/brands/${BRAND}/rewards`, { body });
    expect(noToken.status).toBe(401);
    const streamer = await t.token('streamer', 'host-r', { brandId: BRAND });
    expect((await t.http('POST', `/api/brands/${BRAND}/rewards`, { token: streamer, body })).status).toBe(403);
    expect((await t.http('POST', `/api/brands/${BRAND}/rewards`, { token: await t.token('viewer', 'v') , body })).status).toBe(403);
    const other = await t.token('brand', 'team-x', { brandId: 'brand-x' });
    expect((await t.http('POST', `/api/brands/${BRAND}/rewards`, { token: other, body })).status).toBe(403);
    expect((await t.http('GET', `/api/brands/${BRAND}/rewards`, { token: other })).status).toBe(403);
    const bad = await t.http('POST', `/api/brands/${BRAND}/rewards`, { token: brandToken, body: { ...body, kind: 'cash' } });
    expect(bad.status).toBe(400);
    expect((await t.http('POST', `/api/brands/${BRAND}/rewards`, { token: brandToken, body: { ...body, minTier: 'platinum' } })).status).toBe(400);

    const admin = await t.token('admin', 'root');
    const made = await t.http('POST', `/api/brands/${BRAND}/rewards`, { token: admin, body });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ ...body, brandId: BRAND, active: true, redeemed: 0 });
    const read = await t.http('GET', `/api/brands/${BRAND}/rewards`, { token: streamer });
    expect(read.status).toBe(200);
    expect(read.body.rewards.map((r: { id: string }) => r.id)).toContain(made.body.id);

    const restock = await t.http('PATCH', `/api/brands/${BRAND}/rewards/${made.body.id}`, { token: brandToken, body: { stock: 7 } });
    expect(restock.body).toMatchObject({ stock: 7 });
    expect((await t.http('PATCH', `/api/brands/${BRAND}/rewards/${made.body.id}`, { token: streamer, body: { stock: 9 } })).status).toBe(403);
    expect((await t.http('PATCH', `/api/brands/${BRAND}/rewards/${BRAND}.nosuch`, { token: brandToken, body: { stock: 9 } })).status).toBe(404);
    expect((await t.http('PATCH', `/api/brands/${BRAND}/rewards/${made.body.id}`, { token: brandToken, body: {} })).status).toBe(400);

    const v = await t.viewer('shopper');
    expect((await v.rewards(BRAND)).rewards.map((r) => r.id)).toContain(made.body.id);
    const gone = await t.http('DELETE', `/api/brands/${BRAND}/rewards/${made.body.id}`, { token: brandToken });
    expect(gone.status).toBe(200);
    expect((await v.rewards(BRAND)).rewards.map((r) => r.id)).not.toContain(made.body.id);
    expect((await t.http('DELETE', `/api/brands/${BRAND}/rewards/${made.body.id}`, { token: brandToken })).status).toBe(404);
    await grant('shopper', 100, 'sh1');
    await expect(v.redeem(made.body.id)).rejects.toMatchObject({ code: 'closed' });
  });

  it('counts redemptions made by the stream viewers while it is live in the summary', async () => {
    const streamId = await t.createStream('Rewards night', BRAND, { start: true });
    const [inRoom, elsewhere] = [await t.joinedViewer(streamId, 'watcher'), await t.viewer('absent')];
    await grant('watcher', 500, 'w1');
    await grant('absent', 500, 'a1');
    const reward = await createReward({ title: 'Keyring', kind: 'gift', cost: 70, stock: 10 });
    await inRoom.redeem(reward.id);
    await inRoom.redeem(reward.id);
    await elsewhere.redeem(reward.id);
    const res = await t.http('GET', `/api/streams/${streamId}/summary`, { token: brandToken });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ redemptions: 2, pointsRedeemed: 140 });
  });

  it('reports the points economy: issued, redeemed, expired per day, outstanding, and redeemers against holders', async () => {
    const brand = 'brand-econ';
    const token = await t.token('brand', 'team-e', { brandId: brand });
    const day0 = t.clock.now();
    await grant('e-old', 80, 'e1', brand); // expires on day 30 with 80 left
    await grant('e-red', 300, 'e2', brand);
    const reward = await createReward({ title: 'Mug', kind: 'gift', cost: 120, stock: 5 }, token, brand);
    const red = await t.viewer('e-red');
    await red.redeem(reward.id);
    // ten days later the redeemer watches a stream of the brand (half a minute: no watch points), the holder does not
    t.clock.advance(10 * DAY);
    await seedStream(t.app.ctx, { id: 'econ-live', brandId: brand, startedAt: t.clock.now() });
    await record(t.app.ctx.redis, t.app.ctx.keys, [
      { streamId: 'econ-live', viewerId: 'e-red', metric: 'watchMs', n: 30_000, at: t.clock.now() + 60_000 },
      { streamId: 'econ-live', viewerId: 'e-red', metric: 'chat', n: 1, at: t.clock.now() + 60_000 },
    ]);
    await rollupStream(t.app.ctx, 'econ-live');
    t.clock.advance(30 * DAY);
    await grant('e-new', 50, 'e3', brand);

    const res = await t.http('GET', `/api/brands/${brand}/points/economy?from=${day0 - DAY}&to=${t.clock.now() + 1}`, { token });
    expect(res.status, res.text).toBe(200);
    const e = res.body;
    // 80 + 300 credited on day 0, 50 on day 40; 120 spent on day 0; the 80 and the 180 left of the 300 expired
    expect(e.totals).toEqual({ issued: 430, redeemed: 120, expired: 260, redemptions: 1 });
    expect(e.outstanding).toBe(50);
    const byDay = Object.fromEntries(e.days.map((d: { day: string }) => [d.day, d]));
    expect(byDay[new Date(day0).toISOString().slice(0, 10)]).toMatchObject({ issued: 380, redeemed: 120, expired: 0 });
    expect(e.days.reduce((n: number, d: { expired: number }) => n + d.expired, 0)).toBe(260);
    expect(e.retention).toEqual({ redeemers: { viewers: 1, returned: 1, rate: 1 }, holders: { viewers: 2, returned: 0, rate: 0 } });
    expect((await t.http('GET', `/api/brands/${brand}/points/economy`, { token: brandToken })).status).toBe(403);
    expect((await t.http('GET', `/api/brands/${brand}/points/economy?from=10&to=5`, { token })).status).toBe(400);
  });

  it('makes a raffle ticket a guaranteed entry: it waives the watch-time and chat rules of a lottery of the brand, once', async () => {
    const streamId = await t.createStream('Giveaway night', BRAND, { start: true });
    const host = await t.streamer('host-raffle', BRAND);
    await host.join(streamId);
    const { lottery } = await host.createLottery(streamId, { prize: 'Jacket', winners: 1, durationSec: 3600, minWatchSec: 600, requireChat: true });
    const holder = await t.joinedViewer(streamId, 'ticket-holder');
    const other = await t.joinedViewer(streamId, 'no-ticket');
    await grant('ticket-holder', 100, 'th1');
    const raffle = await createReward({ title: 'Raffle ticket', kind: 'raffle', cost: 20, stock: 10 });
    await holder.redeem(raffle.id);
    const { rewardsStore } = await import('../../core/src/points/points.rewards.js');
    expect(await rewardsStore(t.app.ctx).raffleTickets(BRAND, 'ticket-holder')).toBe(1);

    await expect(other.enterLottery(lottery.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'min_watch' });
    await expect(holder.enterLottery(lottery.id)).resolves.toBeTruthy();
    await expect(holder.enterLottery(lottery.id)).rejects.toMatchObject({ code: 'already_done' });
    expect(await rewardsStore(t.app.ctx).raffleTickets(BRAND, 'ticket-holder')).toBe(0);

    // the ticket is spent: the next lottery's rules apply again
    await host.drawLottery(lottery.id);
    const { lottery: next } = await host.createLottery(streamId, { prize: 'Scarf', winners: 1, durationSec: 3600, minWatchSec: 600 });
    await expect(holder.enterLottery(next.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'min_watch' });
  });
});
