import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/src/config.js';
import { activityKeys } from '../../core/src/activity/activity.keys.js';
import { parseViewerActivity } from '../../core/src/activity/activity.metrics.js';
import { packEntry } from '../../core/src/scoring/scoring.history.js';
import { scoringStore } from '../../core/src/scoring/scoring.store.js';
import { createLogger } from '../../core/src/logger.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { TEST_JWT_SECRET, TEST_WEBHOOK_SECRET } from '../helpers/app.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { generateActivity, record, scoringSnapshot, seedStream, type ActivityEvent } from './rollup-fixtures.js';

const log = createLogger('silent', 'test');
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 2, 18);
const STREAMS = [
  { id: 'pa', startedAt: T0 },
  { id: 'pb', startedAt: T0 + 3 * DAY },
];

const workers: RunningWorker[] = [];
const prefixes: string[] = [];
async function fresh(): Promise<RunningWorker> {
  const prefix = uniquePrefix('prop');
  prefixes.push(prefix);
  const w = startWorker({
    config: loadConfig({ NODE_ENV: 'test', REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, JWT_SECRET: TEST_JWT_SECRET, WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, LOG_LEVEL: 'silent' }),
    log,
  });
  workers.push(w);
  for (const s of STREAMS) await seedStream(w.ctx, { ...s, brandId: 'brand-prop' });
  return w;
}
// Every property run made a worker of its own: close them together (one by one, their blocking reads add up).
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  for (const p of prefixes) await dropPrefix(p);
}, 120_000);

/** A crash after the merge of a batch and before its apply: histories merged, ratings and cursor not written. */
async function crashAfterMerge(w: RunningWorker, streamId: string, viewerIds: string[]): Promise<void> {
  const store = scoringStore(w.ctx);
  const entries = [];
  for (const viewerId of viewerIds) {
    const a = parseViewerActivity(await w.ctx.redis.hgetall(activityKeys(w.ctx.keys, streamId).viewer(viewerId)));
    if (a.lastAt) entries.push({ viewerId, entry: packEntry(streamId, STREAMS.find((s) => s.id === streamId)!.startedAt, a) });
  }
  await store.merge('brand-prop', entries);
}

/** Small batches, so a rollup of a few dozen viewers takes several. */
const small = { batch: 7 };

const step = fc.oneof(
  fc.record({ kind: fc.constant('rollup' as const), stream: fc.constantFrom('pa', 'pb') }),
  fc.record({ kind: fc.constant('crash' as const), stream: fc.constantFrom('pa', 'pb'), viewers: fc.uniqueArray(fc.integer({ min: 0, max: 29 }), { maxLength: 10 }) }),
  fc.record({ kind: fc.constant('replay' as const), stream: fc.constantFrom('pa', 'pb') }),
  fc.record({ kind: fc.constant('twice' as const), stream: fc.constantFrom('pa', 'pb') }),
);

describe('rollup over generated histories', () => {
  it('ends with the scores of one clean run, whatever ran in between: reruns, replays, crashes, two workers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), step), { minLength: 1, maxLength: 8 }), async (seed, plan) => {
        const events: ActivityEvent[] = [...generateActivity('pa', T0, 30, seed), ...generateActivity('pb', T0 + 3 * DAY, 20, seed + 1)];
        const messy = await fresh();
        const other = startWorker({ config: messy.ctx.config, log });
        workers.push(other);
        let at = 0;
        for (const [chunk, s] of plan) {
          await record(messy.ctx.redis, messy.ctx.keys, events.slice(at, at + chunk));
          at += chunk;
          if (s.kind === 'rollup') await rollupStream(messy.ctx, s.stream, small);
          else if (s.kind === 'crash') await crashAfterMerge(messy, s.stream, s.viewers.map((v) => `v${v}`));
          else if (s.kind === 'replay') await messy.ctx.redis.hdel(scoringStore(messy.ctx).keys('brand-prop').cursor, s.stream);
          else await Promise.all([rollupStream(messy.ctx, s.stream, small), rollupStream(other.ctx, s.stream, small)]);
        }
        await record(messy.ctx.redis, messy.ctx.keys, events.slice(at));
        for (const s of STREAMS) await rollupStream(messy.ctx, s.id, small);

        const clean = await fresh();
        await record(clean.ctx.redis, clean.ctx.keys, events);
        for (const s of [...STREAMS].reverse()) await rollupStream(clean.ctx, s.id);
        expect(await scoringSnapshot(messy.ctx.redis, messy.ctx.keys, 'brand-prop')).toEqual(await scoringSnapshot(clean.ctx.redis, clean.ctx.keys, 'brand-prop'));
        for (const w of workers.splice(0)) await w.close();
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
