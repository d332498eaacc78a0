import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointsKeys, pointsLayoutKey } from '../../core/src/points/points.keys.js';
import { foldOlderPoints, grantPoints, grantWatchPoints, olderPointsGone, queueWatchPointsBatch } from '../../core/src/points/points.service.js';
import { viewerPoints } from '../../core/src/points/points.store.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const DAY = 86_400_000;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ POINTS_STREAM_CAP: '100', POINTS_WATCH_CAP: '30', POINTS_WATCH_PER_MINUTE: '2', POINTS_EXPIRE_DAYS: '30' });
});
afterAll(async () => {
  await t.close();
});

const grant = (viewerId: string, points: number, sourceId: string, extra: Partial<Parameters<typeof grantPoints>[1]> = {}) =>
  grantPoints(t.app.ctx, { brandId: 'brand-p', viewerId, streamId: 's-1', points, source: 'quiz', sourceId, ...extra });

describe('loyalty points', () => {
  it('shows balance, tier, next tier and what expires next through points:get', async () => {
    const viewer = await t.viewer('pia');
    expect(await viewer.points('brand-p')).toEqual({ brandId: 'brand-p', balance: 0, tier: 'bronze', nextTier: { name: 'silver', at: 500 } });
    await grant('pia', 40, 'q1');
    t.clock.advance(2 * DAY);
    await grant('pia', 25, 'q2');
    const got = await viewer.points('brand-p');
    expect(got).toMatchObject({ balance: 65, tier: 'bronze', nextTier: { name: 'silver', at: 500 } });
    expect(got.expiring?.points).toBe(40);
    // the first lot expires at the end of the UTC day 30 days after it was earned
    expect(got.expiring!.at - (t.clock.now() - 2 * DAY)).toBeGreaterThan(30 * DAY);
    expect(got.expiring!.at - (t.clock.now() - 2 * DAY)).toBeLessThanOrEqual(31 * DAY);
  });

  it('lets points expire after POINTS_EXPIRE_DAYS', async () => {
    const viewer = await t.viewer('exa');
    await grant('exa', 10, 'old');
    t.clock.advance(31 * DAY);
    await grant('exa', 7, 'new');
    expect(await viewer.points('brand-p')).toMatchObject({ balance: 7, expiring: { points: 7 } });
  });

  it('grants once per (source, sourceId, viewer)', async () => {
    expect(await grant('idem', 20, 'quiz-9')).toBe(20);
    expect(await grant('idem', 20, 'quiz-9')).toBe(0);
    expect(await grant('idem', 20, 'quiz-9', { source: 'question' })).toBe(20);
    expect(await grant('idem-2', 20, 'quiz-9')).toBe(20);
  });

  it('caps what one viewer earns in one stream, but not purchases', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => grant('farmer', 10, `tap-${i}`)));
    expect(results.reduce((a, b) => a + b, 0)).toBe(100);
    expect(await grant('farmer', 10, 'other-stream', { streamId: 's-2' })).toBe(10);
    expect(await grant('farmer', 250, 'order-1', { source: 'order' })).toBe(250);
    const viewer = await t.viewer('farmer');
    expect(await viewer.points('brand-p')).toMatchObject({ balance: 360, tier: 'bronze' });
    expect(await viewer.points('another-brand')).toMatchObject({ balance: 0 });
  });

  it('tops watch points up to rate x whole minutes, capped, however often the rollup calls', async () => {
    const w = (watchSec: number) => grantWatchPoints(t.app.ctx, { brandId: 'brand-p', streamId: 's-w', viewerId: 'idler', watchSec });
    expect(await w(59)).toBe(0);
    expect(await w(5 * 60 + 30)).toBe(10);
    expect(await w(5 * 60 + 30)).toBe(0);
    expect(await w(6 * 60)).toBe(2);
    expect(await w(4 * 60)).toBe(0);
    expect(await w(10 * 3600)).toBe(18);
    expect(await w(20 * 3600)).toBe(0);
    const viewer = await t.viewer('idler');
    expect((await viewer.points('brand-p')).balance).toBe(30);
  });

  it('reads points kept in the layout before (three hashes per viewer) and folds them in at the next grant', async () => {
    const { redis, keys } = t.app.ctx;
    const k = pointsKeys(keys, 'brand-p', 'legacy');
    const day = Math.floor(t.clock.now() / DAY) + 10;
    await redis.hset(k.old.lots, String(day), '40');
    await redis.hset(k.old.grants, 'quiz:q-old', '40');
    await redis.hset(k.old.streams, 's-1', '95');
    const viewer = await t.viewer('legacy');
    expect(await viewer.points('brand-p')).toMatchObject({ balance: 40, expiring: { points: 40, at: (day + 1) * DAY } });
    expect(await viewerPoints(redis, keys, 'brand-p', 'legacy')).toEqual({ lots: { [day]: 40 }, grants: { 'quiz:q-old': 40 }, streams: { 's-1': 95 } });
    // the grant made before counts (no second credit), and so does what the stream already earned (cap 100)
    expect(await grant('legacy', 40, 'q-old')).toBe(0);
    expect(await grant('legacy', 10, 'q-new')).toBe(5);
    expect(await redis.exists(k.old.lots, k.old.grants, k.old.streams)).toBe(0);
    expect(await viewer.points('brand-p')).toMatchObject({ balance: 45, expiring: { points: 40 } });
    const after = await viewerPoints(redis, keys, 'brand-p', 'legacy');
    expect(after.grants).toEqual({ 'quiz:q-old': 40, 'quiz:q-new': 5 });
    expect(after.streams).toEqual({ 's-1': 100 });
    expect(Object.values(after.lots).reduce((a, b) => a + b, 0)).toBe(45);
    expect(await grant('legacy', 10, 'q-more')).toBe(0);
  });

  it('folds the whole deployment\'s older layout once, after which the rollup names one key per viewer', async () => {
    const { redis, keys } = t.app.ctx;
    const day = Math.floor(t.clock.now() / DAY) + 5;
    for (const [brandId, viewerId] of [['brand-p', 'old:one'], ['brand-q', 'old-two']] as const) {
      const k = pointsKeys(keys, brandId, viewerId);
      await redis.hset(k.old.lots, String(day), '12');
      await redis.hset(k.old.grants, 'watch:s-old', '12');
      await redis.hset(k.old.streams, 's-old', '12');
    }
    expect(await foldOlderPoints(t.app.ctx)).toBeGreaterThanOrEqual(2);
    expect(await redis.get(pointsLayoutKey(keys))).toBe('1');
    expect(await olderPointsGone(t.app.ctx)).toBe(true);
    for (const [brandId, viewerId] of [['brand-p', 'old:one'], ['brand-q', 'old-two']] as const) {
      const k = pointsKeys(keys, brandId, viewerId);
      expect(await redis.exists(k.old.lots, k.old.grants, k.old.streams)).toBe(0);
      expect((await (await t.viewer(viewerId)).points(brandId)).balance).toBe(12);
    }
    // the watch points granted before count: a top-up to the same target grants nothing, a higher one the rest
    const topUp = async (watchSec: number) => {
      const p = redis.pipeline();
      queueWatchPointsBatch(t.app.ctx, p, { brandId: 'brand-p', streamId: 's-old', viewers: [{ viewerId: 'old:one', watchSec }], olderLayoutGone: true });
      const [err, credited] = ((await p.exec()) ?? [])[0] ?? [];
      expect(err).toBeNull();
      return (credited as number[])[0];
    };
    expect(await topUp(6 * 60)).toBe(0);
    expect(await topUp(10 * 60)).toBe(8);
    expect((await (await t.viewer('old:one')).points('brand-p')).balance).toBe(20);
    expect(await foldOlderPoints(t.app.ctx)).toBe(0);
  });

  it('reaches a tier from the balance', async () => {
    await grant('rich', 2500, 'order-big', { source: 'order' });
    const viewer = await t.viewer('rich');
    const got = await viewer.points('brand-p');
    expect(got).toMatchObject({ balance: 2500, tier: 'gold' });
    expect(got.nextTier).toBeUndefined();
  });

  it('refuses points:get from staff tokens and bad brand ids', async () => {
    const host = await t.streamer('host-p', 'brand-p');
    await expect(host.request('points:get', { brandId: 'brand-p' })).rejects.toMatchObject({ code: 'forbidden' });
    const viewer = await t.viewer('badinput');
    await expect(viewer.request('points:get', { brandId: 'has space' })).rejects.toMatchObject({ code: 'invalid_payload' });
  });
});
