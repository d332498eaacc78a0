import { randomBytes } from 'node:crypto';
import { cpus, hostname, loadavg } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { StreamSummary } from '@stickyroom/sdk/protocol';
import { loadConfig } from '../../core/src/config.js';
import { queueActivity } from '../../core/src/activity/activity.store.js';
import type { AppContext } from '../../core/src/context.js';
import { TokenService } from '../../core/src/identity/tokens.js';
import { createLogger } from '../../core/src/logger.js';
import { touchViewer } from '../../core/src/presence/presence.store.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { StreamStore } from '../../core/src/streams/streams.store.js';
import { computeSummary } from '../../core/src/summary/summary.compute.js';
import { finalizeSummary } from '../../core/src/summary/summary.service.js';
import { summaryStore } from '../../core/src/summary/summary.viewers.js';
import { createWorkerContext } from '../../worker/src/context.js';
import type { Benchmark } from '../lib/benchmark.js';
import { NodeChild, nextMessage } from '../lib/child.js';
import { freePort, waitHttpOk } from '../lib/net.js';
import { cpuSeconds, threadCpuSeconds } from '../lib/proc.js';
import { activityKeys } from '../../core/src/activity/activity.keys.js';
import { presenceKeys } from '../../core/src/presence/presence.keys.js';
import { BENCH_REDIS_URL, benchPrefix, dropPrefix } from '../lib/redis.js';
import { benchServerEnv } from '../lib/stickyroom.js';
import { seedLiveStream, viewerId, type Seeded } from './seed.js';

export interface SummaryOptions {
  viewers: number;
  clients: number;
  /** Requests per second per client. */
  rate: number;
  seconds: number;
  /** Ledger writes per second while the clients read (chat by existing viewers, joins of new ones). */
  writes: number;
  modes: Mode[];
  /** Another checkout (a snapshot of the "before"), whose server the `base` mode runs in cached mode. */
  base?: string;
  /** The modes are measured this many times, interleaved (recompute, base, cached, recompute, base, ...). */
  rounds: number;
  /**
   * How the end of the stream is timed. sequential: the end rollup, then the finalize (no settle wait), each
   * timed alone; worker: both started at the end, as the worker runs its two jobs (WORKER_CONCURRENCY > 1),
   * the finalize with the job's settle wait (REACTION_FLUSH_MS + 1 s), each timed from the end.
   */
  end: 'sequential' | 'worker';
  /** Seconds each mode's server is watched idle before its load (idleLoopMaxMs); 5 unless told. */
  idleSeconds?: number;
}
/** recompute: per request (the pre-issue-11 before); cached: this tree's live cache; base: `--base`'s cache. */
type Mode = 'recompute' | 'cached' | 'base';

export interface ModeResult {
  mode: Mode;
  round: number;
  /** First request (the cached mode's first full build), not in the percentiles. */
  firstMs: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How old the answers were when they arrived (now - computedAt), ms. */
  staleP50Ms: number;
  staleMaxMs: number;
  loopMaxMs: number;
  loopP99Ms: number;
  /** The same server's event-loop delay over `idleSeconds` (5 s) with no request at all: what the machine alone does to it. */
  idleLoopMaxMs: number;
  /** Server CPU over the load, share of one core (every thread of the process). */
  serverCpu: number;
  /** The server's main thread alone (its event loop: the requests, and whatever else runs on it), share of one core. */
  loopCpu: number;
}

export interface SummaryResult {
  options: SummaryOptions;
  prefix: string;
  seedSeconds: number;
  results: ModeResult[];
  finalize: { rollupSeconds: number; finalizeSeconds: number; exact: boolean; uniqueViewers: number; expectedViewers: number; chatMessages: number; expectedChat: number };
  load: { start: number[]; end: number[] };
}

function parse(argv: readonly string[]): SummaryOptions {
  const opts: SummaryOptions = { viewers: 100_000, clients: 20, rate: 1, seconds: 30, writes: 100, modes: ['recompute', 'cached'], rounds: 1, end: 'sequential' };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value = ''] = [argv[i], argv[i + 1]];
    if (flag === '--viewers') opts.viewers = Number(value);
    else if (flag === '--clients') opts.clients = Number(value);
    else if (flag === '--rate') opts.rate = Number(value);
    else if (flag === '--seconds') opts.seconds = Number(value);
    else if (flag === '--writes') opts.writes = Number(value);
    else if (flag === '--modes') opts.modes = z.array(z.enum(['recompute', 'cached', 'base'])).parse(value.split(','));
    else if (flag === '--base') opts.base = isAbsolute(value) ? value : resolve(process.cwd(), value);
    else if (flag === '--rounds') opts.rounds = Number(value);
    else if (flag === '--end') opts.end = z.enum(['sequential', 'worker']).parse(value);
    else throw new Error(`unknown option ${flag}`);
  }
  if (![opts.viewers, opts.clients, opts.rate, opts.seconds, opts.rounds].every((x) => x > 0) || !(opts.writes >= 0)) throw new Error('--viewers, --clients, --rate, --seconds, --rounds > 0, --writes >= 0');
  if (opts.modes.includes('base') !== (opts.base !== undefined)) throw new Error('--modes base and --base <dir> go together');
  return opts;
}

const pct = (sorted: readonly number[], q: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN);
const LoopReply = z.object({ loopDelay: z.object({ maxMs: z.number(), p99Ms: z.number(), meanMs: z.number(), count: z.number() }) });

async function loopDelay(server: NodeChild, loop: 'reset' | 'read') {
  const reply = nextMessage(server, (raw) => LoopReply.safeParse(raw).data?.loopDelay, 30_000, 'an event-loop reading');
  server.proc.send({ loop });
  return reply;
}

/** Writes to the ledger while the clients read: chat by seeded viewers, joins of new viewers. Answers what it wrote. */
function startWriter(ctx: AppContext, seeded: Seeded, perSec: number): { stop(): Promise<{ chat: number; joins: number }> } {
  let running = true;
  const wrote = { chat: 0, joins: 0 };
  const loop = (async () => {
    let tick = 0;
    while (running && perSec > 0) {
      const now = ctx.clock.now();
      const p = ctx.redis.pipeline();
      const n = Math.max(1, Math.round(perSec / 10));
      for (let i = 0; i < n; i++) queueActivity(p, ctx.keys, { streamId: seeded.streamId, viewerId: viewerId((tick * 7919 + i * 104_729) % seeded.viewers), metric: 'chat', n: 1, at: now });
      await p.exec();
      wrote.chat += n;
      if (tick % 2 === 0) {
        await touchViewer(ctx.redis, ctx.keys, seeded.streamId, viewerId(seeded.viewers + wrote.joins), 'join', now);
        wrote.joins++;
      }
      tick++;
      await sleep(100);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return wrote;
    },
  };
}

async function runMode(mode: Mode, round: number, opts: SummaryOptions, prefix: string, seeded: Seeded, ctx: AppContext, log: (l: string) => void): Promise<ModeResult> {
  const port = await freePort();
  const jwtSecret = randomBytes(24).toString('hex');
  const server = new NodeChild({
    name: `stickyroom (${mode})`,
    entry: mode === 'base' ? join(opts.base!, 'server/src/main.ts') : 'server/src/main.ts',
    env: {
      ...benchServerEnv({ prefix, jwtSecret, port }),
      SUMMARY_LIVE_MAX_AGE_MS: mode === 'recompute' ? '0' : '5000',
    },
    nodeFlags: ['--import', './bench/summary/loop-probe.ts'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHttpOk(`${url}/readyz`, 60_000, () => server.alive);
    const token = await new TokenService(jwtSecret).sign({ sub: 'bench-analyst', role: 'brand', brandId: seeded.brandId }, '2h');
    const get = async (): Promise<{ ms: number; staleMs: number; ok: boolean }> => {
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}/api/streams/${seeded.streamId}/summary`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(180_000) });
        const body = StreamSummary.parse(await res.json());
        return { ms: performance.now() - t0, staleMs: Date.now() - body.computedAt, ok: res.ok };
      } catch {
        return { ms: performance.now() - t0, staleMs: NaN, ok: false };
      }
    };
    log(`${mode}: first request`);
    const first = await get();
    if (!first.ok) throw new Error(`${mode}: the first GET failed`);
    await loopDelay(server, 'reset');
    await sleep((opts.idleSeconds ?? 5) * 1000);
    const idle = await loopDelay(server, 'read');
    await loopDelay(server, 'reset');
    const cpu0 = cpuSeconds(server.pid);
    const loopCpu0 = threadCpuSeconds(server.pid, server.pid);
    const t0 = performance.now();
    log(`${mode}: ${opts.clients} clients x ${opts.rate}/s for ${opts.seconds} s`);
    const writer = startWriter(ctx, seeded, opts.writes);
    const samples: { ms: number; staleMs: number; ok: boolean }[] = [];
    const intervalMs = 1000 / opts.rate;
    await Promise.all(
      Array.from({ length: opts.clients }, async (_, c) => {
        await sleep((c * intervalMs) / opts.clients);
        const inflight: Promise<void>[] = [];
        for (let k = 0; k < opts.seconds * opts.rate; k++) {
          const due = t0 + (c * intervalMs) / opts.clients + k * intervalMs;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          // open-loop: a slow answer does not delay the next request of the client
          inflight.push(get().then((s) => void samples.push(s)));
        }
        await Promise.all(inflight);
      }),
    );
    await writer.stop();
    const seconds = (performance.now() - t0) / 1000;
    const serverCpu = (cpuSeconds(server.pid) - cpu0) / seconds;
    const loopCpu = (threadCpuSeconds(server.pid, server.pid) - loopCpu0) / seconds;
    const loop = await loopDelay(server, 'read');
    const ok = samples.filter((s) => s.ok);
    const ms = ok.map((s) => s.ms).sort((a, b) => a - b);
    const stale = ok.map((s) => s.staleMs).sort((a, b) => a - b);
    return {
      mode,
      round,
      firstMs: first.ms,
      requests: samples.length,
      errors: samples.length - ok.length,
      p50Ms: pct(ms, 0.5),
      p99Ms: pct(ms, 0.99),
      maxMs: ms.at(-1) ?? NaN,
      staleP50Ms: pct(stale, 0.5),
      staleMaxMs: stale.at(-1) ?? NaN,
      loopMaxMs: loop.maxMs,
      loopP99Ms: loop.p99Ms,
      idleLoopMaxMs: idle.maxMs,
      serverCpu,
      loopCpu,
    };
  } finally {
    await server.stop();
  }
}

/**
 * The live summary of a stream of N viewers (seeded through the product's own stores and scripts) read by
 * C clients at R requests/s each for S seconds while the ledger keeps changing, from a server computing it
 * per request (SUMMARY_LIVE_MAX_AGE_MS=0, the "before") and from one serving the lease-refreshed cache, in
 * the same run; then the stream ends, is rolled up and finalized, and the stored final summary is compared
 * with a fresh full computation.
 */
export async function measureSummary(opts: SummaryOptions, log: (line: string) => void): Promise<SummaryResult> {
  const prefix = benchPrefix();
  const config = loadConfig({ REDIS_URL: BENCH_REDIS_URL, REDIS_PREFIX: prefix, LOG_LEVEL: 'silent' });
  const { ctx, close } = createWorkerContext(config, createLogger('silent', 'bench'));
  const load = { start: loadavg(), end: [] as number[] };
  try {
    log(`seeding a live stream of ${opts.viewers} viewers`);
    const s0 = performance.now();
    const seeded = await seedLiveStream(ctx, { viewers: opts.viewers });
    const seedSeconds = (performance.now() - s0) / 1000;
    const results: ModeResult[] = [];
    let wroteChat = 0;
    let joins = 0;
    for (let round = 1; round <= opts.rounds; round++) {
      for (const mode of opts.modes) {
        const before = Number(await ctx.redis.hget(activityKeys(ctx.keys, seeded.streamId).totals, 'chat'));
        results.push(await runMode(mode, round, opts, prefix, seeded, ctx, log));
        wroteChat += Number(await ctx.redis.hget(activityKeys(ctx.keys, seeded.streamId).totals, 'chat')) - before;
        joins = Number(await ctx.redis.zcard(presenceKeys(ctx.keys, seeded.streamId).unique));
      }
    }
    log(opts.end === 'worker' ? 'ending the stream: end rollup and finalize at once, as the worker runs them' : 'ending the stream: end rollup, then finalize');
    await new StreamStore(ctx.redis, ctx.keys).transition(seeded.streamId, 'ended', ctx.clock.now());
    let rollupSeconds: number;
    let finalizeSeconds: number;
    let outcome: string;
    if (opts.end === 'worker') {
      // the two jobs the end queues, run at once as the worker runs them, each timed from the end
      const t0 = performance.now();
      const since = () => (performance.now() - t0) / 1000;
      [rollupSeconds, [outcome, finalizeSeconds]] = await Promise.all([
        rollupStream(ctx, seeded.streamId).then(since),
        finalizeSummary(ctx, seeded.streamId, { settleMs: config.REACTION_FLUSH_MS + 1000 }).then((o) => [o, since()] as const),
      ]);
    } else {
      const r0 = performance.now();
      await rollupStream(ctx, seeded.streamId);
      rollupSeconds = (performance.now() - r0) / 1000;
      const f0 = performance.now();
      outcome = await finalizeSummary(ctx, seeded.streamId);
      finalizeSeconds = (performance.now() - f0) / 1000;
    }
    if (outcome !== 'stored') throw new Error(`finalize answered ${outcome}`);
    const stored = (await summaryStore(ctx).readFinal(seeded.streamId))!;
    const stream = (await new StreamStore(ctx.redis, ctx.keys).get(seeded.streamId))!;
    const again = (await computeSummary(ctx, stream, true)).summary;
    const exact = JSON.stringify({ ...again, computedAt: 0 }) === JSON.stringify({ ...stored, computedAt: 0 });
    load.end = loadavg();
    return {
      options: opts,
      prefix,
      seedSeconds,
      results,
      finalize: {
        rollupSeconds,
        finalizeSeconds,
        exact,
        uniqueViewers: stored.uniqueViewers,
        expectedViewers: joins,
        chatMessages: stored.chatMessages,
        expectedChat: seeded.expected.chatMessages + wroteChat,
      },
      load,
    };
  } finally {
    await close();
    await dropPrefix(prefix);
  }
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');

export const summary: Benchmark = {
  name: 'summary',
  summary: 'live summary of a 100,000-viewer stream read by 20 clients: per-request recompute vs the lease-refreshed cache; finalize time',
  usage: () =>
    [
      '  --viewers N      viewers of the seeded live stream (100000)',
      '  --clients N      reading clients (20)',
      '  --rate R         requests per second per client (1)',
      '  --seconds S      length of each mode\'s load (30)',
      '  --writes W       ledger writes per second meanwhile (100)',
      '  --modes a,b      recompute (SUMMARY_LIVE_MAX_AGE_MS=0, the pre-cache before), cached, base (recompute,cached)',
      '  --base DIR       base mode: the cached mode of the server in DIR (a snapshot of the before, see docs/benchmarks.md)',
      '  --rounds N       measure the modes N times, interleaved (1)',
      '  --end E          sequential: end rollup then finalize, each alone; worker: both at once from the end, as the worker runs them (sequential)',
    ].join('\n'),
  async run(argv, log) {
    const opts = parse(argv);
    const r = await measureSummary(opts, log);
    const lines = [
      `live summary: ${opts.viewers} viewers, ${opts.clients} clients x ${opts.rate} req/s for ${opts.seconds} s, ${opts.writes} ledger writes/s meanwhile (seeded in ${r.seedSeconds.toFixed(0)} s)`,
      '',
      '| mode | first request ms | requests | errors | p50 ms | p99 ms | max ms | staleness p50 ms | staleness max ms | event-loop delay max ms | loop p99 ms | idle loop max ms | server CPU | main thread CPU |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...r.results.map(
        (m) =>
          `| ${m.mode}${opts.rounds > 1 ? ` #${m.round}` : ''} | ${f0(m.firstMs)} | ${m.requests} | ${m.errors} | ${f0(m.p50Ms)} | ${f0(m.p99Ms)} | ${f0(m.maxMs)} | ${f0(m.staleP50Ms)} | ${f0(m.staleMaxMs)} | ${f0(m.loopMaxMs)} | ${f0(m.loopP99Ms)} | ${f0(m.idleLoopMaxMs)} | ${(m.serverCpu * 100).toFixed(0)}% | ${(m.loopCpu * 100).toFixed(0)}% |`,
      ),
      '',
      opts.end === 'worker'
        ? '| end rollup done s after the end | final summary stored s after the end | final = fresh full compute | uniqueViewers (expected) | chatMessages (expected) |'
        : '| end rollup s | finalize s | final = fresh full compute | uniqueViewers (expected) | chatMessages (expected) |',
      '|---:|---:|---|---:|---:|',
      `| ${r.finalize.rollupSeconds.toFixed(2)} | ${r.finalize.finalizeSeconds.toFixed(2)} | ${r.finalize.exact ? 'yes' : 'NO'} | ${r.finalize.uniqueViewers} (${r.finalize.expectedViewers}) | ${r.finalize.chatMessages} (${r.finalize.expectedChat}) |`,
    ];
    // the worst round: a goal is met only if every round met it
    const rounds = r.results.filter((m) => m.mode === 'cached');
    const cached = rounds.length ? { ...rounds[0]!, p99Ms: Math.max(...rounds.map((m) => m.p99Ms)), loopMaxMs: Math.max(...rounds.map((m) => m.loopMaxMs)), idleLoopMaxMs: Math.max(...rounds.map((m) => m.idleLoopMaxMs)), staleMaxMs: Math.max(...rounds.map((m) => m.staleMaxMs)) } : undefined;
    const notes: string[] = [];
    if (cached) {
      notes.push(
        `GOAL p99 <= 100 ms: ${cached.p99Ms <= 100 ? 'met' : 'not met'} (${f0(cached.p99Ms)} ms)`,
        `GOAL no event-loop block > 50 ms: ${cached.loopMaxMs <= 50 ? 'met' : 'not met'} (max ${f0(cached.loopMaxMs)} ms; the same server idle: ${f0(cached.idleLoopMaxMs)} ms)`,
        `GOAL at most 5 s old: ${cached.staleMaxMs <= 5000 ? 'met' : 'not met'} (max ${f0(cached.staleMaxMs)} ms)`,
      );
    }
    notes.push(
      opts.end === 'worker'
        ? `GOAL finalized in <= 10 s: ${r.finalize.finalizeSeconds <= 10 ? 'met' : 'not met'} (stored ${r.finalize.finalizeSeconds.toFixed(1)} s after the end, settle wait included; the end rollup alongside done at ${r.finalize.rollupSeconds.toFixed(1)} s)`
        : `GOAL finalized in <= 10 s: ${r.finalize.finalizeSeconds <= 10 ? 'met' : 'not met'} (${r.finalize.finalizeSeconds.toFixed(1)} s, after an end rollup of ${r.finalize.rollupSeconds.toFixed(1)} s; end to final ${(r.finalize.rollupSeconds + r.finalize.finalizeSeconds).toFixed(1)} s one after the other)`,
      `MUST exact: final summary equals a fresh full computation: ${r.finalize.exact ? 'yes' : 'NO'}; viewers ${r.finalize.uniqueViewers === r.finalize.expectedViewers ? 'exact' : 'WRONG'}; chat ${r.finalize.chatMessages === r.finalize.expectedChat ? 'exact' : 'WRONG'}`,
      `load average (1, 5, 15 min) at start ${r.load.start.map((x) => x.toFixed(2)).join(', ')}, at end ${r.load.end.map((x) => x.toFixed(2)).join(', ')} on ${cpus().length} cores`,
    );
    return { table: lines.join('\n'), notes, json: { benchmark: 'summary', at: new Date().toISOString(), machine: { host: hostname(), cpus: cpus().length, node: process.version }, ...r } };
  },
};
