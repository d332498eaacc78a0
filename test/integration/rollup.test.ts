import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/src/config.js';
import { activityFields, recordActivity } from '../../core/src/activity/activity.store.js';
import { activityKeys } from '../../core/src/activity/activity.keys.js';
import type { ActivityMetric } from '../../core/src/activity/activity.metrics.js';
import { ENTRY_METRICS } from '../../core/src/scoring/scoring.history.js';
import { pointsBalance } from '../../core/src/points/points.service.js';
import { legacyScoringKeys } from '../../core/src/scoring/scoring.keys.js';
import { scoringStore } from '../../core/src/scoring/scoring.store.js';
import { ratingRow, scoreApply, scoreMerge } from '../../core/src/scoring/scoring.scripts.js';
import { brandPointsKeys, pointsKeys } from '../../core/src/points/points.keys.js';
import { pointsStore } from '../../core/src/points/points.service.js';
import type { Tier } from '../../core/src/stickiness/index.js';
import { createLogger } from '../../core/src/logger.js';
import { Keys } from '../../core/src/redis/keys.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { dropPrefix, uniquePrefix } from '../helpers/redis.js';
import { generateActivity, record, scoringSnapshot, seedStream } from './rollup-fixtures.js';

const log = createLogger('silent', 'test');
const DAY = 86_400_000;

let t: TestApp;
let w: RunningWorker;
beforeAll(async () => {
  t = await startTestApp({ ROLLUP_BATCH: '50' });
  w = startWorker({ config: t.config, log, clock: t.clock });
});
afterAll(async () => {
  await w?.close();
  await t?.close();
});

describe('rollup', () => {
  it('changes nothing when run a second time, or replayed from the start', async () => {
    const brandId = 'brand-twice';
    const t0 = t.clock.now();
    await seedStream(w.ctx, { id: 'tw1', brandId, startedAt: t0 });
    await seedStream(w.ctx, { id: 'tw2', brandId, startedAt: t0 + 7 * DAY });
    await record(w.ctx.redis, w.ctx.keys, [...generateActivity('tw1', t0, 300, 1), ...generateActivity('tw2', t0 + 7 * DAY, 200, 2)]);

    const first = [await rollupStream(w.ctx, 'tw1'), await rollupStream(w.ctx, 'tw2')];
    expect(first.map((s) => s.viewers)).toEqual([300, 200]);
    const once = await scoringSnapshot(w.ctx.redis, w.ctx.keys, brandId, { keepVersions: true });
    expect(Object.keys(once.ratings as object)).toHaveLength(300);

    const again = [await rollupStream(w.ctx, 'tw1'), await rollupStream(w.ctx, 'tw2')];
    expect(again.map((s) => s.viewers)).toEqual([0, 0]);
    // forget the cursors: every viewer is read and applied again, and nothing moves, not even a version
    await w.ctx.redis.del(scoringStore(w.ctx).keys(brandId).cursor);
    const replay = [await rollupStream(w.ctx, 'tw2'), await rollupStream(w.ctx, 'tw1')];
    expect(replay.map((s) => s.viewers)).toEqual([200, 300]);
    expect(await scoringSnapshot(w.ctx.redis, w.ctx.keys, brandId, { keepVersions: true })).toEqual(once);
  });

  it('frees the sorted sets an older version kept beside the tier boards, and keeps each viewer in one', async () => {
    const brandId = 'brand-legacy';
    const t0 = t.clock.now();
    const legacy = legacyScoringKeys(w.ctx.keys, brandId);
    // what a rollup of the version before left: every viewer in a board of all, an at-risk pool and an index by stream start
    await w.ctx.redis.zadd(legacy.board, 1, 'old-viewer');
    await w.ctx.redis.zadd(legacy.riskPool, 1, 'old-viewer');
    await w.ctx.redis.zadd(legacy.asOf, t0 - DAY, 'old-viewer');
    await seedStream(w.ctx, { id: 'lg1', brandId, startedAt: t0 });
    await record(w.ctx.redis, w.ctx.keys, generateActivity('lg1', t0, 40, 4));
    expect((await rollupStream(w.ctx, 'lg1')).viewers).toBe(40);
    expect(await w.ctx.redis.exists(legacy.board, legacy.riskPool, legacy.asOf)).toBe(0);
    // each viewer in the board of their tier, and in no other sorted set of the brand's scores
    const k = scoringStore(w.ctx).keys(brandId);
    const tiers = await Promise.all((['new', 'casual', 'engaged', 'loyal'] as const).map((tier) => w.ctx.redis.zrange(k.tier(tier), 0, -1)));
    expect(new Set(tiers.flat()).size).toBe(40);
    expect(tiers.flat()).toHaveLength(40);
  });

  it('reads each viewer\'s metrics as recorded, 0 for those never recorded, whatever else the ledger holds', async () => {
    const t0 = t.clock.now();
    const rec = (viewerId: string, metric: ActivityMetric, n: number) => recordActivity(w.ctx.redis, w.ctx.keys, { streamId: 'rd1', viewerId, metric, n, at: t0 });
    await rec('ana', 'watchMs', 90_000);
    await rec('ana', 'orders', 2);
    await rec('ana', 'chat', 3);
    await rec('ben', 'clicks', 1);
    const rows = await activityFields(w.ctx.redis, w.ctx.keys, 'rd1', ['ana', 'ben', 'nobody'], ENTRY_METRICS);
    const expected = (m: Partial<Record<ActivityMetric, number>>) => ENTRY_METRICS.map((k) => String(m[k] ?? 0)).join(',');
    // the ledger also holds when the viewer was first and last seen: not metrics, left out
    expect(Object.keys(await w.ctx.redis.hgetall(activityKeys(w.ctx.keys, 'rd1').viewer('ana')))).toEqual(expect.arrayContaining(['firstAt', 'lastAt']));
    expect(rows).toEqual([expected({ watchMs: 90_000, orders: 2, chat: 3 }), expected({ clicks: 1 }), expected({})]);
  });

  it('reads only the viewers who changed since the last rollup', async () => {
    const brandId = 'brand-delta';
    const t0 = t.clock.now();
    await seedStream(w.ctx, { id: 'dl1', brandId, startedAt: t0 });
    await record(w.ctx.redis, w.ctx.keys, generateActivity('dl1', t0, 500, 3));
    expect((await rollupStream(w.ctx, 'dl1')).viewers).toBe(500);
    for (const viewerId of ['v7', 'v99', 'v123']) {
      await recordActivity(w.ctx.redis, w.ctx.keys, { streamId: 'dl1', viewerId, metric: 'chat', at: t0 + 60_000 });
    }
    const before = (await scoringStore(w.ctx).ratings(brandId, ['v7']))[0]!;
    const delta = await rollupStream(w.ctx, 'dl1');
    expect(delta.viewers).toBe(3);
    expect(delta.batches).toBe(1);
    expect((await scoringStore(w.ctx).ratings(brandId, ['v7']))[0]!.score).toBeGreaterThan(before.score);
  });

  it('gives two workers rolling up the same stream at once the scores of one clean run', async () => {
    const brandId = 'brand-two';
    const t0 = t.clock.now();
    const events = [...generateActivity('two1', t0, 800, 4), ...generateActivity('two2', t0 + DAY, 600, 5)];
    const half = Math.floor(events.length / 2);
    await seedStream(w.ctx, { id: 'two1', brandId, startedAt: t0 });
    await seedStream(w.ctx, { id: 'two2', brandId, startedAt: t0 + DAY });
    await record(w.ctx.redis, w.ctx.keys, events.slice(0, half));

    const other = startWorker({ config: t.config, log, clock: t.clock });
    try {
      // two workers on both streams, while the rest of the activity still arrives
      await Promise.all([
        rollupStream(w.ctx, 'two1'),
        rollupStream(other.ctx, 'two1'),
        rollupStream(other.ctx, 'two2'),
        record(w.ctx.redis, w.ctx.keys, events.slice(half)),
        rollupStream(w.ctx, 'two2'),
      ]);
      await Promise.all([rollupStream(w.ctx, 'two1'), rollupStream(other.ctx, 'two2')]);
    } finally {
      await other.close();
    }

    const clean = await cleanRun(brandId, [
      { id: 'two1', startedAt: t0 },
      { id: 'two2', startedAt: t0 + DAY },
    ], events);
    expect(await scoringSnapshot(w.ctx.redis, w.ctx.keys, brandId)).toEqual(clean);
  });

  it('runs at a stream\'s end through the queue and rates its viewers', async () => {
    const brandId = 'brand-end';
    const id = await t.createStream('ending', brandId, { start: true });
    await recordActivity(w.ctx.redis, w.ctx.keys, { streamId: id, viewerId: 'ada', metric: 'watchMs', n: 5 * 60_000, at: t.clock.now() });
    await recordActivity(w.ctx.redis, w.ctx.keys, { streamId: id, viewerId: 'ada', metric: 'chat', n: 2, at: t.clock.now() });
    const host = await t.token('streamer', 'host', { brandId });
    expect((await t.http('POST', `/api/streams/${id}/end`, { token: host })).status).toBe(200);
    const brand = await t.token('brand', 'analyst', { brandId });
    await expect
      .poll(async () => (await t.http('GET', `/api/brands/${brandId}/viewers`, { token: brand })).body?.viewers?.length, { timeout: 10_000, interval: 100 })
      .toBe(1);
    // and the viewer earned their watch points for the five minutes
    expect((await pointsBalance(w.ctx, brandId, 'ada')).balance).toBe(5);
  });

  it('runs on a schedule for live streams', async () => {
    const brandId = 'brand-live';
    const id = await t.createStream('live', brandId, { start: true });
    const fast = startWorker({ config: loadConfig({ ...configEnv(t), ROLLUP_EVERY_SEC: '1' }), log, clock: t.clock });
    try {
      await recordActivity(w.ctx.redis, w.ctx.keys, { streamId: id, viewerId: 'bo', metric: 'clicks', at: t.clock.now() });
      await expect.poll(async () => (await scoringStore(w.ctx).ratings(brandId, ['bo']))[0]?.streams, { timeout: 10_000, interval: 100 }).toBe(1);
    } finally {
      await fast.close();
    }
  });

  it('merges, applies and grants a viewer given twice in one script call as separate calls would', async () => {
    // the batch scripts read each key once and write it once: a repeated viewer must still end as if its
    // groups came one call at a time (the rollup never repeats one, but the scripts do not rely on it)
    const run = async (brandId: string, together: boolean) => {
      const calls = <T>(items: T[]): T[][] => (together ? [items] : items.map((x) => [x]));
      const e = (n: number, at = 1000) => `st,${at},${n},1`;
      for (const entries of calls([
        { viewerId: 'a', entry: e(5) },
        { viewerId: 'b', entry: e(7) },
        { viewerId: 'a', entry: e(9) },
        { viewerId: 'a', entry: e(1, 500) },
      ])) {
        await scoreMerge.run(w.ctx.redis, w.ctx.keys, { brandId, entries });
      }
      const row = (viewerId: string, version: number, tier: Tier, score: number) =>
        ratingRow(viewerId, { version, score, asOf: 1000 + version, tier, streams: 1, boardKey: score / 10 + version });
      await scoreApply.run(w.ctx.redis, w.ctx.keys, { brandId, streamId: 'st', seq: 1, fromSeq: 0, rows: [row('a', 1, 'casual', 20), row('c', 4, 'loyal', 90)] });
      for (const rows of calls([row('a', 3, 'engaged', 50), row('b', 1, 'new', 10), row('a', 2, 'loyal', 70), row('a', 5, 'casual', 25), row('c', 5, 'engaged', 40), row('c', 6, 'loyal', 91)])) {
        await scoreApply.run(w.ctx.redis, w.ctx.keys, { brandId, streamId: 'st', seq: 2, fromSeq: 0, rows });
      }
      const now = t.clock.now();
      for (const viewers of calls([
        { viewerId: 'a', points: 10 },
        { viewerId: 'b', points: 20 },
        { viewerId: 'a', points: 30 },
      ])) {
        const p = w.ctx.redis.pipeline();
        pointsStore(w.ctx).queueGrantBatch(p, { brandId, grantId: 'watch:st', mode: 'topup', cappedStreamId: 'st', streamCap: 25, now, expireDays: 30, viewers });
        for (const [err] of (await p.exec()) ?? []) expect(err).toBeNull();
      }
      const points = brandPointsKeys(w.ctx.keys, brandId);
      const perViewer = async (v: string) => {
        const k = pointsKeys(w.ctx.keys, brandId, v);
        return w.ctx.redis.hgetall(k.points);
      };
      return {
        scoring: await scoringSnapshot(w.ctx.redis, w.ctx.keys, brandId, { keepVersions: true }),
        economy: await w.ctx.redis.hgetall(points.economy),
        holders: await w.ctx.redis.zrange(points.holders, 0, -1),
        a: await perViewer('a'),
        b: await perViewer('b'),
      };
    };
    const together = await run('brand-dup-together', true);
    expect(together).toEqual(await run('brand-dup-apart', false));
    expect((together.scoring.ratings as Record<string, string>).a).toMatch(/^5;25;1005;casual;1$/);
    expect(together.scoring.engaged).toEqual([]);
  });
});

function configEnv(app: TestApp): Record<string, string> {
  return { NODE_ENV: 'test', REDIS_URL: app.config.REDIS_URL, REDIS_PREFIX: app.prefix, JWT_SECRET: app.config.JWT_SECRET, WEBHOOK_SECRET: app.config.WEBHOOK_SECRET, LOG_LEVEL: 'silent' };
}

/** The same streams and activity under a fresh prefix, rolled up once by one worker. */
async function cleanRun(brandId: string, streams: { id: string; startedAt: number }[], events: Parameters<typeof record>[2]) {
  const prefix = uniquePrefix('clean');
  const clean = startWorker({ config: loadConfig({ ...configEnv(t), REDIS_PREFIX: prefix }), log, clock: t.clock });
  try {
    for (const s of streams) await seedStream(clean.ctx, { ...s, brandId });
    await record(clean.ctx.redis, new Keys(prefix), events);
    for (const s of streams) await rollupStream(clean.ctx, s.id);
    return await scoringSnapshot(clean.ctx.redis, clean.ctx.keys, brandId);
  } finally {
    await clean.close();
    await dropPrefix(prefix);
  }
}
