import { mkdir } from 'node:fs/promises';
import { join as joinPath, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { CHAT_HISTORY_PAGE_MAX, CHAT_JOIN_HISTORY_DEFAULT } from '@stickyroom/sdk/protocol';
import type { Benchmark } from '../lib/benchmark.js';
import { machineRecord, RESULTS_DIR } from '../lib/benchmark.js';
import { BurstRig, slim } from '../lib/burst.js';
import type { BurstConnected } from '../lib/burst-protocol.js';
import { deathOf } from '../lib/child.js';
import { connectFailureLine, loadAverageLine, quietStart, runInterleaved, SATURATED_WARNING, startBurstTarget } from '../lib/interleave.js';
import { ackBody, RawClient } from '../lib/raw-client.js';
import type { StickyroomServer } from '../lib/stickyroom.js';
import { fmt, formatTable } from '../lib/table.js';
import { parseOptions, usageOf, variantsOf, variantsOption, type Variant } from '../lib/variants.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const JoinOptions = z
  .object({
    viewers: int(1, 20_000).default(10_000).describe('viewer sockets, each joining the live stream at the same instant'),
    history: int(0, 500).default(60).describe('chat messages sent before the storm (the ack carries the newest CHAT_JOIN_HISTORY, 20 by default)'),
    drops: int(0, 20).default(2).describe('open coupon drops in the ack'),
    rounds: int(1, 20).default(3).describe('measured storms (each after its own ceiling burst; the sockets leave in between), plus one warm-up'),
    generators: int(1, 8).default(2).describe('generator processes holding the sockets'),
    wave: int(1, 2000).default(200).describe('sockets connected at once'),
    variants: variantsOption,
    base: z.string().optional().describe('another checkout to run the `base` variant from'),
    root: z.string().optional().describe('a checkout to run `default` and `no-native` from (default: this tree)'),
    'quiet-wait': int(0, 3600).default(30).describe('before each variant, wait up to this many seconds for the machine to calm down'),
    'cpu-prof': z.boolean().default(false).describe("CPU profile of the server over the first measured storm, to bench/results/prof/"),
  })
  .strict();
export type JoinOptions = z.infer<typeof JoinOptions>;

/** The issue's bars: joins/s against the same sockets' refused-at-once ceiling, and 10,000 joined within 10 s. */
export const JOIN_BARS = { goalRate: 0.7, withinMs: 10_000 };

type Slim = ReturnType<typeof slim>;

export interface JoinRound {
  round: number;
  ceiling: Slim;
  joins: Slim;
  /** Every socket joined, and every decoded ack carried history, both pins, the quiz, the lottery and the drops. */
  complete: boolean;
  /** Decoded acks that lacked a part, by part. */
  lacking: Record<string, number>;
  rateRatio: number;
  p50Ratio: number;
  p99Ratio: number;
}

export interface JoinVariantResult {
  variant: string;
  env: Record<string, string>;
  root?: string;
  redisPrefix: string;
  settings: Record<string, string>;
  connected: { sockets: number; failed: number; errors: Record<string, number>; seconds: number };
  rounds: JoinRound[];
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

/** The stream as a flash sale has it when it goes live: chat history, a pinned message and product, an open quiz, lottery and drops. */
async function seed(streamer: RawClient, streamId: string, opts: JoinOptions): Promise<void> {
  await ask(streamer, 'room:join', { streamId });
  let last = '';
  for (let i = 0; i < opts.history; i++) {
    const res = await ask(streamer, 'chat:send', { streamId, text: `Welcome to the sale, message ${i + 1}: sizes 36 to 46, free returns` });
    last = (res.message as { id: string }).id;
  }
  if (last) await ask(streamer, 'chat:pin', { streamId, messageId: last });
  await ask(streamer, 'product:pin', {
    streamId,
    product: { id: 'sneaker-1', title: 'Bench sneaker, limited edition', price: 89.9, currency: 'EUR', imageUrl: 'https://example.com/sneaker.jpg', url: 'https://example.com/p/sneaker-1' },
  });
  await ask(streamer, 'quiz:create', { streamId, question: 'Which sole is recycled?', options: ['Trail', 'City', 'Court', 'Runner'], correctOption: 1, durationSec: 3600 });
  await ask(streamer, 'lottery:create', { streamId, prize: 'A pair of your choice', winners: 3, durationSec: 3600 });
  for (let i = 0; i < opts.drops; i++) {
    await ask(streamer, 'coupon:drop', { streamId, title: `${10 + i * 5}% off`, discount: { type: 'percent', value: 10 + i * 5 }, quantity: 500, perViewer: 1, durationSec: 3600 });
  }
}

/**
 * The join's history: the newest messages of the seeded chat (ids 1..history on a fresh stream), oldest
 * first, with no hole, as many as the server's CHAT_JOIN_HISTORY (20 by default; a `base` variant of an
 * older tree may send its 50), never more than 50.
 */
function isNewest(chat: unknown, history: number): boolean {
  if (!Array.isArray(chat)) return false;
  const n = chat.length;
  if (n < Math.min(history, CHAT_JOIN_HISTORY_DEFAULT) || n > Math.min(history, CHAT_HISTORY_PAGE_MAX)) return false;
  return chat.every((m, i) => (m as { id?: unknown }).id === String(history - n + 1 + i));
}

/** How many messages the decoded acks' histories held (min-max), for the log. */
function chatLengths(samples: readonly unknown[]): string {
  const ns = samples.map((a) => ((a as { chat?: unknown[] }).chat ?? []).length);
  if (ns.length === 0) return '-';
  const [lo, hi] = [Math.min(...ns), Math.max(...ns)];
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

/** What a decoded join ack lacks of the seeded parts. */
function lacks(ack: Record<string, unknown>, opts: JoinOptions): string[] {
  const out: string[] = [];
  if (!isNewest(ack.chat, opts.history)) out.push('chat');
  const pinned = ack.pinned as { message?: unknown; product?: unknown } | undefined;
  if (opts.history > 0 && !pinned?.message) out.push('pinned.message');
  if (!pinned?.product) out.push('pinned.product');
  if (!ack.quiz) out.push('quiz');
  if (!ack.lottery) out.push('lottery');
  if (!Array.isArray(ack.drops) || ack.drops.length !== opts.drops) out.push('drops');
  return out;
}

/** One server variant, seeded, its sockets connected; variants' storms are interleaved (see bench/claims). */
class JoinTarget {
  readonly rounds: JoinRound[] = [];
  profileFile: string | undefined;
  private readonly guard: <T>(p: Promise<T>) => Promise<T>;

  private constructor(
    readonly v: Variant,
    private readonly opts: JoinOptions,
    private readonly log: (line: string) => void,
    private readonly s: StickyroomServer,
    private readonly rig: BurstRig,
    private readonly streamer: RawClient,
    private readonly streamId: string,
    readonly conn: BurstConnected,
    readonly settings: Record<string, string>,
  ) {
    const death = deathOf(s.server);
    this.guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, death]);
  }

  static async start(v: Variant, opts: JoinOptions, log: (line: string) => void): Promise<JoinTarget> {
    // For the streamer's seeding only (60 messages in a few seconds); every viewer sends one event per burst.
    const settings = { CHAT_RATE_LIMIT: '1000', EVENT_RATE_LIMIT: '1000' };
    const { s, rig, streamer, streamId, conn } = await startBurstTarget({
      v,
      env: { ...settings, ...v.env },
      title: 'join benchmark',
      viewers: opts.viewers,
      generators: opts.generators,
      wave: opts.wave,
      joinAtConnect: false,
      log,
      seed: async (streamer, streamId) => {
        await seed(streamer, streamId, opts);
        return `seeded (${opts.history} chat messages, pinned message and product, quiz, lottery, ${opts.drops} drops)`;
      },
    });
    return new JoinTarget(v, opts, log, s, rig, streamer, streamId, conn, settings);
  }

  /** A ceiling burst, then every socket joins at once; then every socket leaves (unmeasured). */
  async round(r: number): Promise<void> {
    const { opts, v, s, rig, conn, streamId } = this;
    const timeoutMs = 60_000;
    // The ceiling: the same event from the same sockets, refused by the schema at once (no Redis, no room).
    const ceiling = await this.guard(rig.fire(`ceiling ${r}`, { event: 'room:join', payload: { streamId: '' }, decode: 'none', sample: 0, timeoutMs }));
    const profiling = opts['cpu-prof'] && r === 1;
    if (profiling) await s.server.profile('start');
    const joins = await this.guard(rig.fire(`joins ${r}`, { event: 'room:join', payload: { streamId }, decode: 'sample', sample: 25, timeoutMs }));
    if (profiling) {
      await mkdir(joinPath(RESULTS_DIR, 'prof'), { recursive: true });
      this.profileFile = joinPath(RESULTS_DIR, 'prof', `join-${v.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
      await s.server.profile('stop', this.profileFile, 60_000);
      this.log(`${v.name}: CPU profile of the join storm in ${relative(process.cwd(), this.profileFile)}`);
    }
    const lacking: Record<string, number> = {};
    for (const sample of joins.samples) for (const part of lacks(sample as Record<string, unknown>, opts)) lacking[part] = (lacking[part] ?? 0) + 1;
    const complete = joins.ok === conn.sockets && joins.missing === 0 && joins.samples.length > 0 && Object.keys(lacking).length === 0;
    const round: JoinRound = {
      round: r,
      ceiling: slim(ceiling),
      joins: slim(joins),
      complete,
      lacking,
      rateRatio: joins.perSec / ceiling.perSec,
      p50Ratio: joins.latencyMs.p50 / Math.max(1, ceiling.latencyMs.p50),
      p99Ratio: joins.latencyMs.p99 / Math.max(1, ceiling.latencyMs.p99),
    };
    this.rounds.push(round);
    this.log(
      `${v.name} ${r === 0 ? 'warm-up' : `round ${r}`}: ceiling ${fmt.int(ceiling.perSec)}/s p50 ${fmt.int(ceiling.latencyMs.p50)} p99 ${fmt.int(ceiling.latencyMs.p99)} ms; ` +
        `joins ${fmt.int(joins.perSec)}/s p50 ${fmt.int(joins.latencyMs.p50)} p99 ${fmt.int(joins.latencyMs.p99)} ms in ${fmt.int(joins.spanMs)} ms, ${joins.ok} ok ${JSON.stringify(joins.errors)}; ` +
        `${fmt.fixed(round.rateRatio, 2)}x rate, ${chatLengths(joins.samples)} chat messages per ack${complete ? '' : `; INCOMPLETE ${JSON.stringify(lacking)}`}`,
    );
    // Everyone leaves, so the next storm joins afresh.
    await this.guard(rig.fire(`leave ${r}`, { event: 'room:leave', payload: { streamId }, decode: 'none', sample: 0, timeoutMs }));
    await sleep(200);
  }

  async finish(busyBefore: number): Promise<JoinVariantResult> {
    const { v, s, conn } = this;
    await this.stop();
    return {
      variant: v.name,
      env: v.env,
      ...(v.root ? { root: v.root } : {}),
      redisPrefix: s.redisPrefix,
      settings: this.settings,
      connected: { sockets: conn.sockets, failed: conn.failed, errors: conn.errors, seconds: conn.ms / 1000 },
      rounds: this.rounds,
      machineBusyBefore: busyBefore,
      ...(this.profileFile ? { profileFile: this.profileFile } : {}),
    };
  }

  async stop(): Promise<void> {
    this.streamer.close();
    await this.rig.close();
    await this.s.stop();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const measured = (r: JoinVariantResult) => r.rounds.filter((x) => x.round > 0);

function table(results: readonly JoinVariantResult[]): string {
  type Row = [string, (b: Slim) => number, (n: number) => string, boolean];
  const rows: Row[] = [
    ['acks/s', (b) => b.perSec, fmt.int, true],
    ['ack p50 (ms)', (b) => b.latencyMs.p50, fmt.int, true],
    ['ack p99 (ms)', (b) => b.latencyMs.p99, fmt.int, true],
    ['ack max (ms)', (b) => b.latencyMs.max, fmt.int, false],
    ['storm span (ms)', (b) => b.spanMs, fmt.int, false],
    ['ack size (KB, mean)', (b) => b.ackBytes / Math.max(1, b.sent - b.missing) / 1024, (n) => fmt.fixed(n, 2), false],
    ['server CPU (cores)', (b) => b.serverCpu, (n) => fmt.fixed(n, 2), false],
    ['server CPU per ack (ms)', (b) => b.serverCpuMsPerAck, (n) => fmt.fixed(n, 3), true],
    ['generator CPU/ELU max', (b) => b.generatorMax, fmt.pct, false],
    ['machine busy', (b) => b.machineBusy, fmt.pct, false],
    ['load average (1 min)', (b) => b.loadAvg1, (n) => fmt.fixed(n, 2), false],
  ];
  const header = ['mean over rounds', ...results.flatMap((r) => [`${r.variant}: ceiling`, 'joins', 'joins/ceiling'])];
  const body = rows.map(([label, get, show, ratio]) => [
    label,
    ...results.flatMap((r) => {
      const m = measured(r);
      return [
        show(mean(m.map((x) => get(x.ceiling)))),
        show(mean(m.map((x) => get(x.joins)))),
        ratio ? `${fmt.fixed(mean(m.map((x) => get(x.joins) / Math.max(1e-9, get(x.ceiling)))), 2)}x` : '',
      ];
    }),
  ]);
  return formatTable(header, body);
}

function verdicts(results: readonly JoinVariantResult[], opts: JoinOptions): { lines: string[]; complete: boolean; goal: boolean } {
  const lines: string[] = [];
  let allComplete = true;
  let allGoal = true;
  for (const r of results) {
    const complete = r.rounds.every((x) => x.complete);
    allComplete &&= complete;
    const m = measured(r);
    const rate = mean(m.map((x) => x.rateRatio));
    const within = Math.max(...m.map((x) => x.joins.spanMs));
    const goal = rate >= JOIN_BARS.goalRate && within <= JOIN_BARS.withinMs;
    allGoal &&= goal;
    lines.push(
      `${r.variant}: MUST ${complete ? 'met' : 'MISSED'}: every socket joined in ${r.rounds.filter((x) => x.complete).length}/${r.rounds.length} storms, every decoded ack (${m[0]?.joins.sent ? '25 per generator' : '-'}) carried history, pins, quiz, lottery and drops`,
      `${r.variant}: GOAL ${goal ? 'met' : 'MISSED'}: joins/s ${fmt.fixed(rate, 2)}x the ceiling (>= ${JOIN_BARS.goalRate}), slowest storm ${fmt.int(within)} ms (<= ${JOIN_BARS.withinMs}); ` +
        `p50 ${fmt.fixed(mean(m.map((x) => x.p50Ratio)), 2)}x, p99 ${fmt.fixed(mean(m.map((x) => x.p99Ratio)), 2)}x the ceiling's [per storm: ${m.map((x) => `${fmt.fixed(x.rateRatio, 2)}x`).join(', ')}]`,
    );
    lines.push(
      `${r.variant}: server CPU per join ${fmt.fixed(mean(m.map((x) => x.joins.serverCpuMsPerAck / x.ceiling.serverCpuMsPerAck)), 2)}x the ceiling's per refused-at-once join (steadier than the rates when the machine is shared)`,
    );
    if (r.rounds.some((x) => x.ceiling.generatorSaturated || x.joins.generatorSaturated)) {
      lines.push(`WARNING ${r.variant}: ${SATURATED_WARNING} in a burst: that burst measures the generator, not the server`);
    }
    lines.push(...connectFailureLine(r.variant, r.connected));
    lines.push(`${r.variant} settings: ${Object.entries({ ...r.settings, ...r.env }).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  lines.push(loadAverageLine());
  if (opts.viewers < 10_000) lines.push('NOTE: a reduced-size run; the bars are set for 10,000 viewers');
  return { lines, complete: allComplete, goal: allGoal };
}

/**
 * A join storm: N connected viewer sockets join one live stream at the same instant (history, pins, quiz,
 * lottery and drops in every ack), next to the same sockets' join refused at once. See docs/benchmarks.md.
 */
export const join: Benchmark = {
  name: 'join',
  summary: 'N viewers join one live stream at one instant, against the same sockets refused at once (transport ceiling)',
  usage: () => usageOf(JoinOptions),
  async run(argv, log) {
    const opts = parseOptions(JoinOptions, argv);
    const busyBefore = await quietStart(opts['quiet-wait'], log);
    const results = await runInterleaved(variantsOf(opts.variants, opts.base, opts.root), (v) => JoinTarget.start(v, opts, log), opts.rounds, busyBefore);
    const verdict = verdicts(results, opts);
    const title = `join: ${opts.viewers} viewers join one live stream at one instant, ${opts.rounds} storm(s), ${opts.generators} generator process(es)`;
    return {
      table: `${title}\n\n${table(results)}`,
      notes: verdict.lines,
      json: {
        benchmark: 'join',
        at: new Date().toISOString(),
        machine: machineRecord(),
        options: opts,
        results,
        must: verdict.complete,
        goal: verdict.goal,
        notes: verdict.lines,
      },
    };
  },
};
