import { cpus, hostname } from 'node:os';
import { loadConfig } from '../../core/src/config.js';
import type { ActivityMetric } from '../../core/src/activity/activity.metrics.js';
import { queueActivity } from '../../core/src/activity/activity.store.js';
import { scoringKeys } from '../../core/src/scoring/scoring.keys.js';
import { StreamStore } from '../../core/src/streams/streams.store.js';
import { createLogger } from '../../core/src/logger.js';
import { createWorkerContext } from '../../worker/src/context.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import type { Benchmark } from '../lib/benchmark.js';
import { BENCH_REDIS_URL, benchPrefix, dropPrefix, redisCpuSeconds } from '../lib/redis.js';

const METRICS: ActivityMetric[] = ['chat', 'likes', 'questions', 'upvotes', 'quizAnswers', 'quizCorrect', 'lotteryEntries', 'couponClaims', 'clicks', 'orders'];

function parse(argv: readonly string[]): { viewers: number; batches: number[] } {
  const opts = { viewers: 100_000, batches: [500, 2000] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value = ''] = [argv[i], argv[i + 1]];
    if (flag === '--viewers') opts.viewers = Number(value);
    else if (flag === '--batch') opts.batches = value.split(',').map(Number);
    else throw new Error(`unknown option ${flag}`);
  }
  if (!(opts.viewers > 0) || opts.batches.some((b) => !(b >= 10 && b <= 5000))) throw new Error('--viewers > 0, --batch 10..5000');
  return opts;
}

/**
 * Rollup throughput: one stream of N viewers who each did something, rolled up from scratch by one
 * worker context, per batch size; then the same rollup again (nothing changed: one empty read).
 */
export const rollup: Benchmark = {
  name: 'rollup',
  summary: 'rollup of one stream of N active viewers: viewer-updates/s and Redis round-trips, per batch size',
  usage: () => '  --viewers N      viewers with activity in the stream (100000)\n  --batch a,b      batch sizes to compare (500,2000)',
  async run(argv, log) {
    const opts = parse(argv);
    const prefix = benchPrefix();
    const config = loadConfig({ REDIS_URL: BENCH_REDIS_URL, REDIS_PREFIX: prefix, LOG_LEVEL: 'silent' });
    const { ctx, close } = createWorkerContext(config, createLogger('silent', 'bench'));
    const rows: { batch: number; viewers: number; seconds: number; perSec: number; roundTrips: number; redisCpu: number; againMs: number }[] = [];
    try {
      const brandId = 'bench-brand';
      const started = Date.now() - 3_600_000;
      const streams = new StreamStore(ctx.redis, ctx.keys);
      await streams.create({ id: 'bench', title: 'bench', brandId, status: 'scheduled', createdBy: 'bench', createdAt: started });
      await streams.transition('bench', 'live', started);
      log(`recording activity of ${opts.viewers} viewers`);
      for (let v = 0; v < opts.viewers; v += 2000) {
        const p = ctx.redis.pipeline();
        for (let i = v; i < Math.min(opts.viewers, v + 2000); i++) {
          const viewerId = `viewer${i}`;
          queueActivity(p, ctx.keys, { streamId: 'bench', viewerId, metric: 'watchMs', n: 15_000 * (1 + (i % 240)), at: started + 1000 });
          queueActivity(p, ctx.keys, { streamId: 'bench', viewerId, metric: METRICS[i % METRICS.length]!, n: 1 + (i % 5), at: started + 2000 });
        }
        await p.exec();
      }
      for (const batch of opts.batches) {
        const k = scoringKeys(ctx.keys, brandId);
        await ctx.redis.del(k.history, k.ratings, k.board, k.tier('new'), k.tier('casual'), k.tier('engaged'), k.tier('loyal'), k.riskPool, k.asOf, k.cursor);
        log(`rollup, batch ${batch}`);
        const cpu0 = await redisCpuSeconds(ctx.redis);
        const t0 = performance.now();
        const stats = await rollupStream(ctx, 'bench', { batch });
        const seconds = (performance.now() - t0) / 1000;
        const redisCpu = (await redisCpuSeconds(ctx.redis)) - cpu0;
        const a0 = performance.now();
        const again = await rollupStream(ctx, 'bench', { batch });
        if (again.viewers !== 0) throw new Error('a second rollup found work');
        rows.push({ batch, viewers: stats.viewers, seconds, perSec: stats.viewers / seconds, roundTrips: stats.roundTrips, redisCpu, againMs: performance.now() - a0 });
      }
    } finally {
      await close();
      await dropPrefix(prefix);
    }
    const table = [
      `rollup: one stream, ${opts.viewers} viewers with activity, from scratch (watch points included)`,
      '',
      '| batch | viewer updates | seconds | updates/s | Redis round-trips | Redis CPU s | second rollup ms |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.batch} | ${r.viewers} | ${r.seconds.toFixed(2)} | ${Math.round(r.perSec)} | ${r.roundTrips} | ${r.redisCpu.toFixed(2)} | ${r.againMs.toFixed(1)} |`),
    ].join('\n');
    return {
      table,
      notes: ['round-trips: sequential waits on Redis (a pipeline or a script call is one); a batch costs 4, 5 with watch points.'],
      json: { benchmark: 'rollup', at: new Date().toISOString(), machine: { host: hostname(), cpus: cpus().length, node: process.version }, options: opts, rows },
    };
  },
};
