import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { codeIndexKey } from '../../core/src/coupons/coupons.keys.js';
import { Keys } from '../../core/src/redis/keys.js';
import type { Benchmark } from '../lib/benchmark.js';
import { machineRecord, RESULTS_DIR } from '../lib/benchmark.js';
import { BurstRig, slim, type BurstResult } from '../lib/burst.js';
import type { BurstConnected } from '../lib/burst-protocol.js';
import { deathOf } from '../lib/child.js';
import { connectFailureLine, loadAverageLine, quietStart, runInterleaved, SATURATED_WARNING, startBurstTarget } from '../lib/interleave.js';
import { ackBody, RawClient } from '../lib/raw-client.js';
import { BENCH_REDIS_URL } from '../lib/redis.js';
import type { StickyroomServer } from '../lib/stickyroom.js';
import { fmt, formatTable } from '../lib/table.js';
import { parseOptions, usageOf, variantsOf, variantsOption, type Variant } from '../lib/variants.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const ClaimsOptions = z
  .object({
    viewers: int(1, 20_000).default(5000).describe('viewer sockets, each claiming once per round'),
    quantity: int(1, 1_000_000).default(500).describe('coupons in each drop'),
    rounds: int(1, 20).default(3).describe('measured drops, one after the other, each after its own ceiling burst (plus one warm-up round)'),
    generators: int(1, 8).default(2).describe('generator processes holding the sockets'),
    wave: int(1, 2000).default(200).describe('sockets connected at once'),
    variants: variantsOption,
    base: z.string().optional().describe('another checkout to run the `base` variant from'),
    root: z.string().optional().describe('a checkout to run `default` and `no-native` from (default: this tree)'),
    'quiet-wait': int(0, 3600).default(30).describe('before each variant, wait up to this many seconds for the machine to calm down'),
    'cpu-prof': z.boolean().default(false).describe("CPU profile of the server over the first round's claim burst, to bench/results/prof/"),
  })
  .strict();
export type ClaimsOptions = z.infer<typeof ClaimsOptions>;

/**
 * Pushes are counted this long after a burst's last ack too: the room hears of a drop's changes on the
 * trailing edge of its stock interval (at most 1 s), and a burst's CPU counts the work of those pushes.
 */
export const SETTLE_MS = 1500;

/** The issue's bars, against the refused-at-once ceiling of the same sockets in the same run. */
export const CLAIM_BARS = { goalRate: 0.8, goalP99: 1.5 };

export interface ClaimRound {
  /** Round 0 warms the server's code paths up (JIT, script cache): checked for exactness, left out of the ratios. */
  round: number;
  ceiling: Omit<BurstResult, 'codes' | 'samples'> & { codeCount: number };
  claims: Omit<BurstResult, 'codes' | 'samples'> & { codeCount: number };
  distinctCodes: number;
  /** Claims of the burst the node refused from its latch of ended drops, without Redis (0 for a tree without it). */
  latched: number;
  exact: boolean;
  rateRatio: number;
  p99Ratio: number;
}

export interface ClaimsVariantResult {
  variant: string;
  env: Record<string, string>;
  root?: string;
  redisPrefix: string;
  connected: { sockets: number; failed: number; errors: Record<string, number>; seconds: number };
  rounds: ClaimRound[];
  /** Codes in the global code index and in the stream's record after every round: both must be quantity x rounds. */
  indexedCodes: number;
  recordedCodes: number;
  machineBusyBefore: number;
  profileFile?: string;
}

function ask(client: RawClient, event: string, payload: unknown, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${event}: no ack`)), timeoutMs);
    client.emit(event, payload, (json) => {
      clearTimeout(timer);
      const body = ackBody(json);
      if (body.ok) resolve(body);
      else reject(new Error(`${event}: ${JSON.stringify(body.error)}`));
    });
  });
}

/** The server's count of claims it answered from its latch (`stickyroom_coupon_claims_total{latched="true"}`). */
async function latchedClaims(s: StickyroomServer): Promise<number> {
  const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.metricsToken}` } });
  if (!res.ok) throw new Error(`/metrics: ${res.status}`);
  let n = 0;
  for (const line of (await res.text()).split('\n')) {
    if (line.startsWith('stickyroom_coupon_claims_total{') && line.includes('latched="true"')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

/**
 * One server variant with its sockets connected and joined. Variants are all started first and their rounds
 * then interleaved (round 1 of each, then round 2 of each, ...), so that on a shared machine the load of
 * the moment falls on every variant alike.
 */
class ClaimsTarget {
  readonly rounds: ClaimRound[] = [];
  profileFile: string | undefined;
  private readonly guard: <T>(p: Promise<T>) => Promise<T>;

  private constructor(
    readonly v: Variant,
    private readonly opts: ClaimsOptions,
    private readonly log: (line: string) => void,
    private readonly s: StickyroomServer,
    private readonly rig: BurstRig,
    private readonly streamer: RawClient,
    private readonly streamId: string,
    readonly conn: BurstConnected,
  ) {
    const death = deathOf(s.server);
    this.guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, death]);
  }

  static async start(v: Variant, opts: ClaimsOptions, log: (line: string) => void): Promise<ClaimsTarget> {
    const { s, rig, streamer, streamId, conn } = await startBurstTarget({ v, env: v.env, title: 'claims benchmark', viewers: opts.viewers, generators: opts.generators, wave: opts.wave, joinAtConnect: true, log });
    return new ClaimsTarget(v, opts, log, s, rig, streamer, streamId, conn);
  }

  /** A ceiling burst, then a drop of Q claimed by every socket at once. */
  async round(r: number): Promise<void> {
    const { opts, v, s, rig, conn } = this;
    const timeoutMs = 60_000;
    // The transport ceiling: the same event from the same sockets, refused by the schema before any Redis.
    const ceiling = await this.guard(rig.fire(`ceiling ${r}`, { event: 'coupon:claim', payload: { dropId: '' }, decode: 'none', sample: 0, timeoutMs, settleMs: SETTLE_MS }));
    const drop = await this.guard(
      ask(this.streamer, 'coupon:drop', { streamId: this.streamId, title: `bench drop ${r}`, discount: { type: 'percent', value: 10 }, quantity: opts.quantity, perViewer: 1, durationSec: 3600 }),
    );
    const dropId = (drop.drop as { id: string }).id;
    const profiling = opts['cpu-prof'] && r === 1;
    const latchedBefore = await this.guard(latchedClaims(s));
    if (profiling) await s.server.profile('start');
    const claims = await this.guard(rig.fire(`claims ${r}`, { event: 'coupon:claim', payload: { dropId }, opIdPrefix: `r${r}`, fresh: true, decode: 'all', sample: 0, timeoutMs, settleMs: SETTLE_MS }));
    if (profiling) {
      await mkdir(join(RESULTS_DIR, 'prof'), { recursive: true });
      this.profileFile = join(RESULTS_DIR, 'prof', `claims-${v.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
      await s.server.profile('stop', this.profileFile, 60_000);
      this.log(`${v.name}: CPU profile of the claim burst in ${relative(process.cwd(), this.profileFile)}`);
    }
    const latched = (await this.guard(latchedClaims(s))) - latchedBefore;
    const distinct = new Set(claims.codes).size;
    const expectOk = Math.min(opts.quantity, conn.sockets);
    const exact =
      claims.ok === expectOk &&
      distinct === expectOk &&
      claims.missing === 0 &&
      (claims.errors.sold_out ?? 0) === conn.sockets - expectOk &&
      Object.keys(claims.errors).every((k) => k === 'sold_out');
    const round: ClaimRound = {
      round: r,
      ceiling: slim(ceiling),
      claims: slim(claims),
      distinctCodes: distinct,
      latched,
      exact,
      rateRatio: claims.perSec / ceiling.perSec,
      p99Ratio: claims.latencyMs.p99 / Math.max(1, ceiling.latencyMs.p99),
    };
    this.rounds.push(round);
    this.log(
      `${v.name} ${r === 0 ? 'warm-up' : `round ${r}`}: ceiling ${fmt.int(ceiling.perSec)}/s p99 ${fmt.int(ceiling.latencyMs.p99)} ms; claims ${fmt.int(claims.perSec)}/s p99 ${fmt.int(claims.latencyMs.p99)} ms; ` +
        `${claims.ok} codes (${distinct} distinct), ${JSON.stringify(claims.errors)} (${latched} answered by the node's latch); ${fmt.fixed(round.rateRatio, 2)}x rate, ${fmt.fixed(round.p99Ratio, 2)}x p99`,
    );
  }

  /** Counts the codes in Redis (global index and the stream's record), then stops the server and deletes its keys. */
  async finish(busyBefore: number): Promise<ClaimsVariantResult> {
    const { v, s, conn } = this;
    const redis = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const indexedCodes = await countKeys(redis, codeIndexKey(new Keys(s.redisPrefix), '*'));
      const recordedCodes = await redis.hlen(`${s.redisPrefix}{s:${this.streamId}}:coupons:codes`);
      return {
        variant: v.name,
        env: v.env,
        ...(v.root ? { root: v.root } : {}),
        redisPrefix: s.redisPrefix,
        connected: { sockets: conn.sockets, failed: conn.failed, errors: conn.errors, seconds: conn.ms / 1000 },
        rounds: this.rounds,
        indexedCodes,
        recordedCodes,
        machineBusyBefore: busyBefore,
        ...(this.profileFile ? { profileFile: this.profileFile } : {}),
      };
    } finally {
      redis.disconnect();
      await this.stop();
    }
  }

  async stop(): Promise<void> {
    this.streamer.close();
    await this.rig.close();
    await this.s.stop();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** The measured rounds (the warm-up left out). */
const measured = (r: ClaimsVariantResult) => r.rounds.filter((x) => x.round > 0);

function table(results: readonly ClaimsVariantResult[]): string {
  type Row = [string, (b: ClaimRound['ceiling']) => number, (n: number) => string, boolean];
  const rows: Row[] = [
    ['acks/s', (b) => b.perSec, fmt.int, true],
    ['ack p50 (ms)', (b) => b.latencyMs.p50, fmt.int, true],
    ['ack p99 (ms)', (b) => b.latencyMs.p99, fmt.int, true],
    ['ack max (ms)', (b) => b.latencyMs.max, fmt.int, false],
    ['burst span (ms)', (b) => b.spanMs, fmt.int, false],
    ['server CPU (cores)', (b) => b.serverCpu, (n) => fmt.fixed(n, 2), false],
    ['server CPU per ack (ms, pushes after it included)', (b) => b.serverCpuMsPerAck, (n) => fmt.fixed(n, 3), true],
    ['generator CPU/ELU max', (b) => b.generatorMax, fmt.pct, false],
    ['pushes before the last ack', (b) => b.pushes, fmt.int, false],
    [`pushes in the ${SETTLE_MS} ms after it`, (b) => b.pushesAfter, fmt.int, false],
    ['machine busy', (b) => b.machineBusy, fmt.pct, false],
    ['load average (1 min)', (b) => b.loadAvg1, (n) => fmt.fixed(n, 2), false],
  ];
  const header = ['mean over rounds', ...results.flatMap((r) => [`${r.variant}: ceiling`, 'claims', 'claims/ceiling'])];
  const body = rows.map(([label, get, show, ratio]) => [
    label,
    ...results.flatMap((r) => {
      const c = mean(measured(r).map((x) => get(x.ceiling)));
      const k = mean(measured(r).map((x) => get(x.claims)));
      return [show(c), show(k), ratio ? fmt.fixed(mean(measured(r).map((x) => get(x.claims) / Math.max(1e-9, get(x.ceiling)))), 2) + 'x' : ''];
    }),
  ]);
  return formatTable(header, body);
}

function verdicts(results: readonly ClaimsVariantResult[], opts: ClaimsOptions): { lines: string[]; exact: boolean; goal: boolean } {
  const lines: string[] = [];
  let allExact = true;
  let allGoal = true;
  for (const r of results) {
    const exact = r.rounds.every((x) => x.exact) && r.indexedCodes === r.recordedCodes && r.recordedCodes === Math.min(opts.quantity, r.connected.sockets) * r.rounds.length;
    allExact &&= exact;
    const rate = mean(measured(r).map((x) => x.rateRatio));
    const p99 = mean(measured(r).map((x) => x.p99Ratio));
    const goal = rate >= CLAIM_BARS.goalRate && p99 <= CLAIM_BARS.goalP99;
    allGoal &&= goal;
    const saturated = r.rounds.some((x) => x.ceiling.generatorSaturated || x.claims.generatorSaturated);
    lines.push(
      `${r.variant}: MUST ${exact ? 'met' : 'MISSED'}: exact in ${r.rounds.filter((x) => x.exact).length}/${r.rounds.length} rounds ` +
        `(${opts.quantity} distinct codes, the rest sold_out, none missing); ${r.indexedCodes} codes indexed, ${r.recordedCodes} recorded`,
      `${r.variant}: GOAL ${goal ? 'met' : 'MISSED'}: claims/s ${fmt.fixed(rate, 2)}x the ceiling (>= ${CLAIM_BARS.goalRate}), claim p99 ${fmt.fixed(p99, 2)}x the ceiling's (<= ${CLAIM_BARS.goalP99})` +
        ` [per round: ${measured(r).map((x) => `${fmt.fixed(x.rateRatio, 2)}x/${fmt.fixed(x.p99Ratio, 2)}x`).join(', ')}]`,
    );
    const frames = mean(measured(r).map((x) => x.claims.pushes + x.claims.pushesAfter));
    lines.push(`${r.variant}: ${fmt.int(mean(measured(r).map((x) => x.latched)))} claims per burst refused by the node's latch of ended drops, without Redis`);
    lines.push(`${r.variant}: ${fmt.int(frames)} push frames per claim burst (${fmt.fixed(frames / r.connected.sockets, 2)} per socket), the ceiling's ${fmt.int(mean(measured(r).map((x) => x.ceiling.pushes + x.ceiling.pushesAfter)))}`);
    lines.push(
      `${r.variant}: server CPU per claim ${fmt.fixed(mean(measured(r).map((x) => x.claims.serverCpuMsPerAck / x.ceiling.serverCpuMsPerAck)), 2)}x the ceiling's per refused-at-once claim (steadier than the rates when the machine is shared)`,
    );
    if (saturated) lines.push(`WARNING ${r.variant}: ${SATURATED_WARNING} in a burst: that burst measures the generator, not the server`);
    lines.push(...connectFailureLine(r.variant, r.connected));
    const drops = r.rounds.reduce((a, x) => a + x.claims.disconnects + x.ceiling.disconnects, 0);
    if (drops > 0) lines.push(`WARNING ${r.variant}: sockets dropped during the bursts (${drops})`);
  }
  lines.push(loadAverageLine());
  if (opts.viewers < 5000) lines.push('NOTE: a reduced-size run; the bars are set for 5,000 viewers and drops of 500');
  return { lines, exact: allExact, goal: allGoal };
}

/**
 * A flash-sale claim burst: N joined viewer sockets claim one drop of Q at the same instant, next to the
 * same sockets sending a claim the schema refuses (the transport's ceiling). See docs/benchmarks.md.
 */
export const claims: Benchmark = {
  name: 'claims',
  summary: 'N viewers claim a drop of Q at one instant, against the same sockets refused at once (transport ceiling)',
  usage: () => usageOf(ClaimsOptions),
  async run(argv, log) {
    const opts = parseOptions(ClaimsOptions, argv);
    const busyBefore = await quietStart(opts['quiet-wait'], log);
    const results = await runInterleaved(variantsOf(opts.variants, opts.base, opts.root), (v) => ClaimsTarget.start(v, opts, log), opts.rounds, busyBefore);
    const verdict = verdicts(results, opts);
    const title = `claims: ${opts.viewers} viewers claim a drop of ${opts.quantity} at one instant, ${opts.rounds} round(s), ${opts.generators} generator process(es)`;
    return {
      table: `${title}\n\n${table(results)}`,
      notes: verdict.lines,
      json: {
        benchmark: 'claims',
        at: new Date().toISOString(),
        machine: machineRecord(),
        options: opts,
        results,
        must: verdict.exact,
        goal: verdict.goal,
        notes: verdict.lines,
      },
    };
  },
};
