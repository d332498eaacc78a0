import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/src/config.js';
import { activityKeys } from '../../core/src/activity/activity.keys.js';
import { scoringKeys } from '../../core/src/scoring/scoring.keys.js';
import { createLogger } from '../../core/src/logger.js';
import { createRedis, type RedisClient } from '../../core/src/redis/client.js';
import { Keys } from '../../core/src/redis/keys.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { startWorker } from '../../worker/src/worker.js';
import { TEST_JWT_SECRET, TEST_WEBHOOK_SECRET } from '../helpers/app.js';
import { runTs, type RunningProcess } from '../helpers/process.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { generateActivity, record, scoringSnapshot, seedStream } from '../integration/rollup-fixtures.js';

const log = createLogger('silent', 'test');
const VIEWERS = 20_000;
const BRAND = 'brand-chaos';
const STARTED = Date.now() - 3_600_000;

let redis: RedisClient;
const prefixes: string[] = [];
const children: RunningProcess[] = [];

beforeAll(() => {
  redis = createRedis({ url: TEST_REDIS_URL, log, name: 'chaos-test' });
});
afterAll(async () => {
  for (const c of children) await c.stop('SIGKILL');
  redis.disconnect();
  for (const p of prefixes) await dropPrefix(p);
});

const env = (prefix: string): Record<string, string> => ({
  NODE_ENV: 'test',
  REDIS_URL: TEST_REDIS_URL,
  REDIS_PREFIX: prefix,
  JWT_SECRET: TEST_JWT_SECRET,
  WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
  LOG_LEVEL: 'debug',
  ROLLUP_EVERY_SEC: '1',
  ROLLUP_BATCH: '200',
});

/** A live stream of VIEWERS viewers with activity, under a fresh prefix. */
async function seeded(tag: string): Promise<{ prefix: string; keys: Keys; seq: number }> {
  const prefix = uniquePrefix(tag);
  prefixes.push(prefix);
  const keys = new Keys(prefix);
  await seedStream({ redis, keys }, { id: 'big', brandId: BRAND, startedAt: STARTED });
  await record(redis, keys, generateActivity('big', STARTED, VIEWERS, 42));
  return { prefix, keys, seq: Number(await redis.get(activityKeys(keys, 'big').seq)) };
}

const rolledUpTo = async (keys: Keys) => Number((await redis.hget(scoringKeys(keys, BRAND).cursor, 'big')) ?? 0);

function worker(prefix: string): RunningProcess {
  const p = runTs('worker/src/main.ts', env(prefix));
  children.push(p);
  return p;
}

describe('a worker killed in the middle of a rollup', () => {
  it('leaves, once restarted, the same scores as one uninterrupted run', async () => {
    const crash = await seeded('crash');
    const first = worker(crash.prefix);
    await first.waitFor(/rollup batch applied/, 30_000);
    await first.stop('SIGKILL');
    const reached = await rolledUpTo(crash.keys);
    expect(reached).toBeGreaterThan(0);
    expect(reached).toBeLessThan(crash.seq); // it really died mid-way

    const second = worker(crash.prefix);
    await expect.poll(() => rolledUpTo(crash.keys), { timeout: 60_000, interval: 200 }).toBe(crash.seq);
    await second.stop('SIGTERM');

    // the clean run: same data on another prefix, one worker, other batch size, never interrupted
    const clean = await seeded('clean');
    const w = startWorker({ config: loadConfig({ ...env(clean.prefix), LOG_LEVEL: 'silent', ROLLUP_BATCH: '500' }), log });
    try {
      const stats = await rollupStream(w.ctx, 'big');
      expect(stats.viewers).toBe(VIEWERS);
    } finally {
      await w.close();
    }
    const crashed = await scoringSnapshot(redis, crash.keys, BRAND);
    expect(Object.keys(crashed.ratings as object)).toHaveLength(VIEWERS);
    expect(crashed).toEqual(await scoringSnapshot(redis, clean.keys, BRAND));
  }, 120_000);
});

describe('a worker asked to stop (SIGTERM) during a rollup', () => {
  it('finishes the rollup in hand before it exits', async () => {
    const run = await seeded('term');
    const p = worker(run.prefix);
    await p.waitFor(/rollup batch applied/, 30_000);
    const code = await p.stop('SIGTERM');
    expect(code).toBe(0);
    expect(p.output.some((l) => /finishing the jobs in hand/.test(l))).toBe(true);
    expect(await rolledUpTo(run.keys)).toBe(run.seq);
    expect(await redis.hlen(scoringKeys(run.keys, BRAND).ratings)).toBe(VIEWERS);
  }, 120_000);
});
