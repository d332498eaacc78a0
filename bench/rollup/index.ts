import { createHash } from 'node:crypto';
import { cpus, hostname, loadavg } from 'node:os';
import { loadConfig } from '../../core/src/config.js';
import type { ActivityMetric } from '../../core/src/activity/activity.metrics.js';
import { queueActivity } from '../../core/src/activity/activity.store.js';
import type { AppContext } from '../../core/src/context.js';
import { StreamStore } from '../../core/src/streams/streams.store.js';
import { createLogger } from '../../core/src/logger.js';
import { createWorkerContext } from '../../worker/src/context.js';
import { rollupStream, type RollupStats } from '../../core/src/scoring/scoring.rollup.js';
import { legacyScoringKeys } from '../../core/src/scoring/scoring.keys.js';
import { olderPointsGone } from '../../core/src/points/points.service.js';
import type { Benchmark } from '../lib/benchmark.js';
import { BENCH_REDIS_URL, benchPrefix, dropPrefix, redisCpuSeconds } from '../lib/redis.js';
import { rollupBefore } from './before.js';

const METRICS: ActivityMetric[] = ['chat', 'likes', 'questions', 'upvotes', 'quizAnswers', 'quizCorrect', 'lotteryEntries', 'couponClaims', 'clicks', 'orders'];
const BRAND = 'bench-brand';

export interface RollupOptions {
  viewers: number;
  batches: number[];
  rounds: number;
}

export interface RollupRow {
  impl: 'before' | 'after';
  batch: number;
  round: number;
  viewers: number;
  seconds: number;
  perSec: number;
  roundTrips: number;
  /** Redis's CPU over the run (the whole server: other users of a shared Redis count too). */
  redisCpu: number;
  againMs: number;
  /** Digest of every stickiness and points key of the brand after the run: equal digests, equal results. */
  digest: string;
}

function parse(argv: readonly string[]): RollupOptions {
  const opts = { viewers: 100_000, batches: [500, 2000], rounds: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value = ''] = [argv[i], argv[i + 1]];
    if (flag === '--viewers') opts.viewers = Number(value);
    else if (flag === '--batch') opts.batches = value.split(',').map(Number);
    else if (flag === '--rounds') opts.rounds = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  if (!(opts.viewers > 0) || opts.batches.some((b) => !(b >= 10 && b <= 5000)) || !(opts.rounds >= 1)) {
    throw new Error('--viewers > 0, --batch 10..5000, --rounds >= 1');
  }
  return opts;
}

/** Every key of the brand the rollup writes (ratings, boards, histories, cursors, watch points), by SCAN. */
async function brandKeys(ctx: AppContext): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await ctx.redis.scan(cursor, 'MATCH', ctx.keys.brand(BRAND, '*'), 'COUNT', 2000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out.sort();
}

/** The key a points key stands for in the layout of today (the "before" writes the older one: three hashes per viewer). */
const OLD_POINTS = /^(.*):points:(.+):(lots|grants|streams)$/;
const OLD_PREFIX: Record<string, string> = { lots: 'l:', grants: 'g:', streams: 's:' };

/**
 * A digest of what the rollup wrote: every key of the brand (stickiness keys, watch points) with its content.
 * A viewer's points are compared as one hash in either layout (`pts:<viewer>`, fields `l:`, `g:`, `s:`; the
 * older layout's three hashes mapped onto it, the `_` mark left out).
 */
async function digestOf(ctx: AppContext): Promise<string> {
  const hash = createHash('sha256');
  // the "before" also writes three sorted sets the product dropped (nothing reads them): left out of the comparison
  const legacy = new Set(Object.values(legacyScoringKeys(ctx.keys, BRAND)));
  const keys = (await brandKeys(ctx)).filter((k) => !legacy.has(k));
  const hashes = new Map<string, string[]>();
  const zsets = new Map<string, string>();
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    const types = ((await ctx.redis.pipeline(chunk.map((k) => ['type', k])).exec()) ?? []).map(([, t]) => String(t));
    const reads = ctx.redis.pipeline();
    // the points holders' scores are the wall-clock time of each viewer's first grant, which differs between
    // two runs by design: their members are compared (sorted by id), not their times
    const holders = ctx.keys.brand(BRAND, 'points', 'holders');
    chunk.forEach((k, j) => (k === holders ? reads.zrange(k, 0, -1) : types[j] === 'zset' ? reads.zrange(k, 0, -1, 'WITHSCORES') : reads.hgetall(k)));
    const values = (await reads.exec()) ?? [];
    chunk.forEach((k, j) => {
      const [err, v] = values[j]!;
      if (err) throw err;
      if (Array.isArray(v)) {
        zsets.set(k, (k === holders ? [...v].sort() : v).join(','));
        return;
      }
      const old = OLD_POINTS.exec(k);
      const key = old ? `${old[1]}:pts:${old[2]}` : k;
      const prefix = old ? OLD_PREFIX[old[3]!]! : '';
      const fields = hashes.get(key) ?? [];
      for (const [f, x] of Object.entries(v as Record<string, string>)) if (old || f !== '_' || !key.includes(':pts:')) fields.push(`${prefix}${f}=${x}`);
      hashes.set(key, fields);
    });
  }
  for (const k of [...new Set([...hashes.keys(), ...zsets.keys()])].sort()) {
    hash.update(k);
    const z = zsets.get(k);
    if (z !== undefined) hash.update(z);
    else for (const f of hashes.get(k)!.sort()) hash.update(f);
  }
  return hash.digest('hex').slice(0, 16);
}

async function resetBrand(ctx: AppContext): Promise<void> {
  const keys = await brandKeys(ctx);
  for (let i = 0; i < keys.length; i += 1000) await ctx.redis.unlink(...keys.slice(i, i + 1000));
}

/**
 * Rollup throughput: one stream of N viewers who each did something, rolled up from scratch by one
 * worker context, per batch size, by the rollup before issue 11 and by the product's, alternately in the
 * same run (the brand's stickiness and points keys cleared before each); then the same rollup again
 * (nothing changed: one empty read). Both must leave the same keys with the same content.
 */
export async function measureRollup(opts: RollupOptions, log: (line: string) => void): Promise<{ rows: RollupRow[]; prefix: string; load: { before: number[]; after: number[] } }> {
  const prefix = benchPrefix();
  const config = loadConfig({ REDIS_URL: BENCH_REDIS_URL, REDIS_PREFIX: prefix, LOG_LEVEL: 'silent' });
  const { ctx, close } = createWorkerContext(config, createLogger('silent', 'bench'));
  const rows: RollupRow[] = [];
  const load = { before: loadavg(), after: [] as number[] };
  try {
    const started = Date.now() - 3_600_000;
    const streams = new StreamStore(ctx.redis, ctx.keys);
    await streams.create({ id: 'bench', title: 'bench', brandId: BRAND, status: 'scheduled', createdBy: 'bench', createdAt: started });
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
    // a running worker has folded the older points layout (and marked the deployment) before its rollups: done
    // here, outside the timing (a fresh prefix has nothing to fold; the walk of the keyspace is once per deployment)
    await olderPointsGone(ctx);
    const impls: Record<RollupRow['impl'], (batch: number) => Promise<RollupStats>> = {
      before: (batch) => rollupBefore(ctx, 'bench', { batch }),
      after: (batch) => rollupStream(ctx, 'bench', { batch }),
    };
    for (const batch of opts.batches) {
      for (let round = 1; round <= opts.rounds; round++) {
        for (const impl of ['before', 'after'] as const) {
          await resetBrand(ctx);
          log(`rollup ${impl}, batch ${batch}, round ${round}`);
          const cpu0 = await redisCpuSeconds(ctx.redis);
          const t0 = performance.now();
          const stats = await impls[impl](batch);
          const seconds = (performance.now() - t0) / 1000;
          const redisCpu = (await redisCpuSeconds(ctx.redis)) - cpu0;
          const a0 = performance.now();
          const again = await impls[impl](batch);
          if (again.viewers !== 0) throw new Error(`a second rollup (${impl}) found work`);
          const againMs = performance.now() - a0;
          rows.push({ impl, batch, round, viewers: stats.viewers, seconds, perSec: stats.viewers / seconds, roundTrips: stats.roundTrips, redisCpu, againMs, digest: await digestOf(ctx) });
        }
      }
    }
    load.after = loadavg();
  } finally {
    await close();
    await dropPrefix(prefix);
  }
  return { rows, prefix, load };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export const rollup: Benchmark = {
  name: 'rollup',
  summary: 'rollup of one stream of N active viewers: viewer-updates/s before issue 11 and now, per batch size',
  usage: () =>
    '  --viewers N      viewers with activity in the stream (100000)\n  --batch a,b      batch sizes to compare (500,2000)\n  --rounds N       before/after pairs per batch size (1)',
  async run(argv, log) {
    const opts = parse(argv);
    const { rows, prefix, load } = await measureRollup(opts, log);
    const lines = [
      `rollup: one stream, ${opts.viewers} viewers with activity, from scratch (watch points included); before and after alternate in one run`,
      '',
      '| batch | round | rollup | viewer updates | seconds | updates/s | Redis round-trips | Redis CPU s | second rollup ms | result digest |',
      '|---:|---:|---|---:|---:|---:|---:|---:|---:|---|',
      ...rows.map(
        (r) =>
          `| ${r.batch} | ${r.round} | ${r.impl} | ${r.viewers} | ${r.seconds.toFixed(2)} | ${Math.round(r.perSec)} | ${r.roundTrips} | ${r.redisCpu.toFixed(2)} | ${r.againMs.toFixed(1)} | ${r.digest} |`,
      ),
    ];
    const notes: string[] = [];
    for (const batch of opts.batches) {
      const of = (impl: RollupRow['impl']) => rows.filter((r) => r.batch === batch && r.impl === impl);
      const b = median(of('before').map((r) => r.perSec));
      const a = median(of('after').map((r) => r.perSec));
      const same = new Set(rows.filter((r) => r.batch === batch).map((r) => r.digest)).size === 1;
      notes.push(`batch ${batch}: after/before ${(a / b).toFixed(2)}x (median updates/s ${Math.round(a)} vs ${Math.round(b)}); same keys and content: ${same ? 'yes' : 'NO'}`);
      if (batch === 500) notes.push(`GOAL >= 3x at the default batch: ${a / b >= 3 ? 'met' : 'not met'}`);
    }
    notes.push(
      `load average (1, 5, 15 min) at start ${load.before.map((x) => x.toFixed(2)).join(', ')}, at end ${load.after.map((x) => x.toFixed(2)).join(', ')} on ${cpus().length} cores`,
      'round-trips: Redis requests (a pipeline or a script call is one); the old rollup awaited each in turn, the new one keeps 8 batches in flight, so its count is of requests, not of waits. Redis CPU is the whole server (other users of a shared Redis count too).',
    );
    return {
      table: lines.join('\n'),
      notes,
      json: { benchmark: 'rollup', at: new Date().toISOString(), machine: { host: hostname(), cpus: cpus().length, node: process.version, load }, options: opts, prefix, rows },
    };
  },
};
