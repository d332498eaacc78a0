import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/src/config.js';
import { recordActivity } from '../../core/src/activity/activity.store.js';
import { pointsBalance } from '../../core/src/points/points.service.js';
import { scoringStore } from '../../core/src/scoring/scoring.store.js';
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
