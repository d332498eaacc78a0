import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPoints, grantWatchPoints } from '../../core/src/points/points.service.js';
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
