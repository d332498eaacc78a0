import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityMetric } from '../../core/src/activity/activity.metrics.js';
import { recordActivity } from '../../core/src/activity/activity.store.js';
import { createLogger } from '../../core/src/logger.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { generateActivity, record, seedStream, type ActivityEvent } from './rollup-fixtures.js';

const DAY = 86_400_000;
const MIN = 60_000;

let t: TestApp;
let w: RunningWorker;
let brand: string;
const T0 = Date.UTC(2026, 1, 2, 18);
const [T1, T2] = [T0 + 7 * DAY, T0 + 14 * DAY];

beforeAll(async () => {
  t = await startTestApp();
  w = startWorker({ config: t.config, log: createLogger('silent', 'test'), clock: t.clock });
  brand = await t.token('brand', 'analyst', { brandId: 'brand-s' });

  // A scripted history of three weekly streams.
  for (const [id, at] of [['wk1', T0], ['wk2', T1], ['wk3', T2]] as const) await seedStream(w.ctx, { id, brandId: 'brand-s', startedAt: at });
  const did = (viewerId: string, streamId: string, at: number, m: Partial<Record<ActivityMetric, number>>): ActivityEvent[] =>
    Object.entries(m).map(([metric, n]) => ({ streamId, viewerId, metric: metric as ActivityMetric, n: n!, at: at + MIN }));
  const buyer = { watchMs: 40 * MIN, chat: 5, orders: 1, revenueCents: 5000 };
  const quizzer = { watchMs: 40 * MIN, chat: 6, quizAnswers: 2, quizCorrect: 2 };
  const talker = { watchMs: 60 * MIN, chat: 10, questions: 1 };
  await record(w.ctx.redis, w.ctx.keys, [
    ...did('lucy', 'wk1', T0, buyer), ...did('lucy', 'wk2', T1, buyer), ...did('lucy', 'wk3', T2, buyer),
    ...did('eve', 'wk2', T1, quizzer), ...did('eve', 'wk3', T2, quizzer),
    ...did('carl', 'wk1', T0, { watchMs: 2 * MIN }), ...did('carl', 'wk3', T2, { watchMs: 2 * MIN }),
    ...did('nina', 'wk3', T2, { watchMs: 20 * MIN }),
    ...did('rita', 'wk1', T0, talker), ...did('rita', 'wk2', T1, talker),
    ...did('dora', 'wk1', T0, { watchMs: MIN }),
  ]);
  for (const id of ['wk3', 'wk1', 'wk2']) await rollupStream(w.ctx, id);
});
afterAll(async () => {
  await w?.close();
  await t?.close();
});

const board = async (query = '', token = brand) => t.http('GET', `/api/brands/brand-s/viewers${query}`, { token });
const ids = (res: { body: { viewers: { viewerId: string }[] } }) => res.body.viewers.map((v) => v.viewerId);

describe('brand leaderboard', () => {
  it('ranks a scripted three-week history by current score, with the segments it should have', async () => {
    t.clock.set(T2 + 15 * DAY);
    const res = await board();
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(['lucy', 'eve', 'rita', 'nina', 'carl', 'dora']);
    expect(Object.fromEntries(res.body.viewers.map((v: { viewerId: string; segment: string }) => [v.viewerId, v.segment]))).toEqual({
      lucy: 'loyal',
      eve: 'engaged',
      rita: 'at-risk',
      nina: 'new',
      carl: 'casual',
      dora: 'at-risk',
    });
    const scores = res.body.viewers.map((v: { score: number }) => v.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(res.body.viewers[0]).toMatchObject({ viewerId: 'lucy', lastStreamAt: T2, streams: 3 });
  });

  it('filters by segment, and moves viewers to at-risk and dormant as time passes', async () => {
    t.clock.set(T2 + 15 * DAY);
    expect(ids(await board('?segment=at-risk'))).toEqual(['rita', 'dora']);
    expect(ids(await board('?segment=loyal'))).toEqual(['lucy']);
    expect(ids(await board('?segment=dormant'))).toEqual([]);
    t.clock.set(T0 + 61 * DAY);
    expect(ids(await board('?segment=dormant'))).toEqual(['dora']);
    expect(ids(await board('?segment=at-risk'))).toEqual(['lucy', 'eve', 'rita', 'nina']);
    expect(ids(await board('?segment=casual'))).toEqual(['carl']);
    expect(ids(await board('?segment=loyal'))).toEqual([]);
  });

  it('pages with a cursor: every viewer once, in order, even when one is re-rated between pages', async () => {
    t.clock.set(T2 + DAY);
    await seedStream(w.ctx, { id: 'crowd', brandId: 'brand-p', startedAt: T2 });
    await record(w.ctx.redis, w.ctx.keys, generateActivity('crowd', T2, 250, 11, 'p'));
    await rollupStream(w.ctx, 'crowd');
    const token = await t.token('brand', 'analyst-p', { brandId: 'brand-p' });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.http('GET', `/api/brands/brand-p/viewers?limit=37${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(res.status).toBe(200);
      expect(res.body.viewers.length).toBeLessThanOrEqual(37);
      const scores = res.body.viewers.map((v: { score: number }) => v.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      seen.push(...ids(res));
      cursor = res.body.nextCursor;
      if (pages++ === 0) {
        // the last viewer of the first page does a lot more and is rolled up before the next page
        const last = seen[seen.length - 1]!;
        await recordActivity(w.ctx.redis, w.ctx.keys, { streamId: 'crowd', viewerId: last, metric: 'orders', n: 3, at: T2 + MIN });
        await rollupStream(w.ctx, 'crowd');
      }
    } while (cursor);
    expect(pages).toBe(7);
    expect(new Set(seen).size).toBe(250);
    expect(seen).toHaveLength(250);
  });

  it('pages the at-risk segment across the new, engaged and loyal tiers: in order, ties included, every viewer once', async () => {
    const [S1, S2] = [T0, T0 + 7 * DAY];
    await seedStream(w.ctx, { id: 'r1', brandId: 'brand-r', startedAt: S1 });
    await seedStream(w.ctx, { id: 'r2', brandId: 'brand-r', startedAt: S2 });
    // 30 newcomers who did exactly the same (one tie, ids of both cases: Redis orders ties by bytes, not by
    // locale), and 60 regulars of both streams, some engaged or loyal by now, some casual
    const tied = Array.from({ length: 30 }, (_, i) => `${i % 2 ? 'T' : 't'}ie${i}`);
    await record(w.ctx.redis, w.ctx.keys, [
      ...tied.map((viewerId) => ({ streamId: 'r1', viewerId, metric: 'watchMs' as const, n: 20 * MIN, at: S1 + MIN })),
      ...generateActivity('r1', S1, 60, 5, 'reg'),
      ...generateActivity('r2', S2, 60, 6, 'reg'),
    ]);
    for (const id of ['r1', 'r2']) await rollupStream(w.ctx, id);
    const token = await t.token('brand', 'analyst-r', { brandId: 'brand-r' });
    const page = async (query: string) => {
      const res = await t.http('GET', `/api/brands/brand-r/viewers?${query}`, { token });
      expect(res.status).toBe(200);
      return res.body as { viewers: { viewerId: string; score: number; segment: string }[]; nextCursor: string | null };
    };

    t.clock.set(S2 + 25 * DAY);
    const everyone = (await page('limit=200')).viewers;
    expect(everyone).toHaveLength(150 - 60);
    const atRisk = everyone.filter((v) => v.segment === 'at-risk').map((v) => v.viewerId);
    expect(atRisk.length).toBeGreaterThan(tied.length);
    expect(everyone.some((v) => v.segment === 'casual')).toBe(true);

    // pages of 7 give the whole board's at-risk viewers, in the whole board's order
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await page(`segment=at-risk&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.viewers.every((v) => v.segment === 'at-risk')).toBe(true);
      seen.push(...res.viewers.map((v) => v.viewerId));
      cursor = res.nextCursor;
    } while (cursor);
    expect(seen).toEqual(atRisk);

    // a tied viewer ends a page and is re-rated (moves up, out of the tie) before the next: nobody is lost
    const first = await page('segment=at-risk&limit=200');
    const inTie = first.viewers.findIndex((v) => tied.includes(v.viewerId));
    const head = await page(`segment=at-risk&limit=${inTie + 3}`);
    const last = head.viewers[head.viewers.length - 1]!.viewerId;
    expect(tied).toContain(last);
    await recordActivity(w.ctx.redis, w.ctx.keys, { streamId: 'r1', viewerId: last, metric: 'chat', n: 4, at: S1 + MIN });
    await rollupStream(w.ctx, 'r1');
    const rest: string[] = [];
    cursor = head.nextCursor;
    while (cursor) {
      const res = await page(`segment=at-risk&limit=7&cursor=${cursor}`);
      rest.push(...res.viewers.map((v) => v.viewerId));
      cursor = res.nextCursor;
    }
    const all = [...head.viewers.map((v) => v.viewerId), ...rest];
    expect(all).toHaveLength(atRisk.length);
    expect(new Set(all)).toEqual(new Set(atRisk));
  });

  it('answers 403 to a brand token of another brand, and to a viewer', async () => {
    const other = await t.token('brand', 'spy', { brandId: 'brand-x' });
    const res = await board('', other);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await t.http('GET', '/api/brands/brand-s/viewers/lucy', { token: other })).status).toBe(403);
    expect((await board('', await t.token('viewer', 'lucy'))).status).toBe(403);
    expect((await t.http('GET', '/api/brands/brand-s/viewers')).status).toBe(401);
  });

  it('answers 400 to a bad segment, limit or cursor', async () => {
    expect((await board('?segment=vip')).status).toBe(400);
    expect((await board('?limit=0')).status).toBe(400);
    const bad = await board('?cursor=bm90LWEtY3Vyc29y');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_payload');
    // keys JavaScript reads as numbers but Redis does not (or not alike), and one past a double
    for (const key of ['', '0b1', ' 1', '0x10', '1e400', 'Infinity']) {
      const forged = Buffer.from(`${key}\nlucy`).toString('base64url');
      for (const segment of ['', '&segment=at-risk']) {
        const res = await board(`?cursor=${forged}${segment}`);
        expect(res.status, JSON.stringify(key)).toBe(400);
        expect(res.body.error.code).toBe('invalid_payload');
      }
    }
    // a cursor of one segment's pages is a place in the score order, and serves another segment too
    t.clock.set(T2 + 15 * DAY);
    const first = await board('?limit=1');
    expect(ids(await board(`?segment=at-risk&cursor=${first.body.nextCursor}`))).toEqual(['rita', 'dora']);
  });
});

describe('viewer profile', () => {
  it('shows score, segment, recent streams with their engagement, orders and points', async () => {
    t.clock.set(T2 + DAY);
    const res = await t.http('GET', '/api/brands/brand-s/viewers/lucy', { token: brand });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ viewerId: 'lucy', brandId: 'brand-s', segment: 'loyal', streams: 3, lastStreamAt: T2 });
    expect(res.body.score).toBeLessThan(res.body.scoreAtLastStream);
    expect(res.body.recentStreams.map((s: { streamId: string }) => s.streamId)).toEqual(['wk3', 'wk2', 'wk1']);
    expect(res.body.recentStreams[0]).toMatchObject({ title: 'stream wk3', watchSec: 2400, chat: 5, orders: 1, revenueCents: 5000 });
    expect(res.body.recentStreams[0].engagementPoints).toBeGreaterThan(0);
    expect(res.body.totals).toEqual({ watchSec: 7200, orders: 3, revenueCents: 15000, buyerStreams: 3 });
    // 40 watch minutes in each of three streams, one point a minute
    expect(res.body.points.balance).toBe(120);
  });

  it('lists the rewards the viewer redeemed with the brand, newest first', async () => {
    const reward = await t.http('POST', '/api/brands/brand-s/rewards', { token: brand, body: { title: 'Scarf', kind: 'coupon', cost: 50, stock: 5 } });
    expect(reward.status).toBe(201);
    const lucy = await t.viewer('lucy');
    const got = await lucy.redeem(reward.body.id);
    const res = await t.http('GET', '/api/brands/brand-s/viewers/lucy', { token: brand });
    expect(res.body.redemptions).toEqual([
      { id: got.redemption.id, rewardId: reward.body.id, viewerId: 'lucy', kind: 'coupon', title: 'Scarf', cost: 50, code: got.redemption.code, at: t.clock.now() },
    ]);
    expect(res.body.points.balance).toBe(70);
    expect((await t.http('GET', '/api/brands/brand-s/viewers/eve', { token: brand })).body.redemptions).toEqual([]);
  });

  it('answers 404 for a viewer the brand has never seen', async () => {
    expect((await t.http('GET', '/api/brands/brand-s/viewers/stranger', { token: brand })).status).toBe(404);
  });
});
