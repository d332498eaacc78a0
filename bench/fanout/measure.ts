import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { RESULTS_DIR } from '../lib/benchmark.js';
import { deathOf, NodeChild, nextMessage } from '../lib/child.js';
import { Histogram } from '../lib/histogram.js';
import { eluBetween } from '../lib/probe-protocol.js';
import { CpuWindow, machineBusy, machineCpu, rssBytes, waitForQuiet } from '../lib/proc.js';
import { split } from '../lib/ranges.js';
import { fmt } from '../lib/table.js';
import { BENCH_REDIS_URL, redisCpuSeconds } from '../lib/redis.js';
import type { FanoutOptions, TargetName } from './options.js';
import { FromGenerator, type GeneratorConnected, type GeneratorInit, type GeneratorReport, type ToGenerator } from './protocol.js';
import { startTarget, type RunningTarget } from './targets.js';
import { plus } from '../lib/tally.js';

const PROBE_UNDER_LOAD_MS = 10_000;
/** The whole machine at most this busy (others' work) before a server is measured. */
const QUIET_BUSY = 0.15;

/** Everything measured for one server. Per-second figures are over the measured window only. */
export interface TargetResult {
  name: TargetName;
  settings: Record<string, string>;
  redisPrefix?: string;
  /** `decoded`: the viewers that decode their chat (latency, completeness); the rest count frames and messages only. */
  connections: { viewers: number; decoded: number; senders: number; failed: number; errors: Record<string, number>; seconds: number };
  deliveries: {
    perSec: number;
    demandedPerSec: number;
    framesPerSec: number;
    messagesPerFrame: number;
    /** Deliveries of the messages sent inside the window, by the end of the drain, over viewers x those messages (at the decoded sample). */
    completeness: number;
    /** Every message received by every viewer, decoded or counted, from the first send to the end of the drain. */
    total: number;
  };
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** `total`: every message the senders sent, window or not. */
  sent: { perSec: number; total: number; ackOk: number; ackErrors: Record<string, number>; ackP50Ms: number; ackP99Ms: number };
  server: {
    /** Cores used (1 = one core busy the whole window). */
    cpu: number;
    elu: number;
    rssEnd: number;
    heapUsedEnd: number;
    heapIdle: number;
    heapConnected: number;
    rssIdle: number;
    rssConnected: number;
    heapPerConnection: number;
    rssPerConnection: number;
    heapAfterGc: boolean;
  };
  /** Per load-generator process, the sender process first, then the viewer processes. */
  generators: { cpu: number[]; elu: number[] };
  /** Redis's CPU in the window in cores; Redis is shared with anything else on the machine. */
  redisCpu: number;
  /** Share of the whole machine (all cores) busy in the window, from /proc/stat. */
  machineBusy: number;
  /** The same just before the server started (NaN when not sampled). */
  machineBusyBefore: number;
  /** The server's CPU profile over the window, with --cpu-prof. */
  profileFile?: string;
  disconnects: number;
}

/**
 * Every how many viewers one decodes its chat so that about `sample` do, spread over the room's join order:
 * at 10,000 sockets two decoding generators take most of the machine and queue the very frames they time.
 */
export function sampleEvery(viewers: number, sample: number): number {
  return Math.max(1, Math.floor(viewers / Math.max(1, sample)));
}

function fromGenerator<T extends FromGenerator['type']>(type: T) {
  return (raw: unknown): Extract<FromGenerator, { type: T }> | undefined => {
    const msg = FromGenerator.safeParse(raw);
    if (!msg.success) return undefined;
    if (msg.data.type === 'fatal') throw new Error(`generator failed: ${msg.data.message}`);
    return msg.data.type === type ? (msg.data as Extract<FromGenerator, { type: T }>) : undefined;
  };
}

function tell(gen: NodeChild, msg: ToGenerator): void {
  gen.proc.send(msg);
}

/** Starts the server, connects the room, runs the chat load, measures, and tears everything down. */
export async function measureTarget(name: TargetName, opts: FanoutOptions, log: (line: string) => void): Promise<TargetResult> {
  const generators = Array.from(
    { length: opts.generators + 1 },
    (_, i) => new NodeChild({ name: i === 0 ? 'sender generator' : `viewer generator ${i}`, entry: 'bench/fanout/generator.ts' }),
  );
  let target: RunningTarget | undefined;
  const redis = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 1 });
  let busyBefore = NaN;
  try {
    if (opts['quiet-wait'] > 0) {
      const quiet = await waitForQuiet({ maxBusy: QUIET_BUSY, maxWaitMs: opts['quiet-wait'] * 1000 });
      busyBefore = quiet.busy;
      log(`${name}: machine ${fmt.pct(quiet.busy)} busy before the run${quiet.waitedMs > 3000 ? ` (waited ${Math.round(quiet.waitedMs / 1000)} s for it to calm down)` : ''}`);
    }
    target = await startTarget(name, opts);
    const t = target;
    const death = deathOf(t.server);
    /** Every wait below ends at once, with the server's last output, if the server dies. */
    const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, death]);
    const idle = await guard(t.server.memory(true));

    log(`${name}: connecting ${opts.viewers} viewers + ${opts.senders} senders in waves of ${opts.wave}`);
    const connectTimeout = Math.min(600_000, 60_000 + ((opts.viewers + opts.senders) / opts.wave) * 30_000);
    const connected: GeneratorConnected[] = await guard(
      Promise.all(
        generators.map((gen, i) => {
          // Process 0 only sends, so the offered load keeps its pace however far the viewers fall behind.
          const sender = i === 0;
          const init: GeneratorInit = {
            type: 'init',
            url: t.url,
            streamId: t.streamId,
            viewers: sender ? { from: 0, count: 0 } : split(opts.viewers, opts.generators, i - 1),
            senders: sender ? { from: 0, count: opts.senders } : { from: 0, count: 0 },
            rate: sender ? opts.rate : 0,
            sampleEvery: sampleEvery(opts.viewers, opts.sample),
            wave: Math.max(1, Math.round(opts.wave / opts.generators)),
            jwtSecret: t.jwtSecret,
            ackTimeoutMs: 10_000,
          };
          const reply = nextMessage(gen, fromGenerator('connected'), connectTimeout, 'connected report');
          tell(gen, init);
          return reply;
        }),
      ),
    );
    const conn = connected.reduce(
      (a, c) => ({ viewers: a.viewers + c.viewers, decoded: a.decoded + c.decoded, senders: a.senders + c.senders, failed: a.failed + c.failed, errors: plus(a.errors, c.errors), seconds: Math.max(a.seconds, c.ms / 1000) }),
      { viewers: 0, decoded: 0, senders: 0, failed: 0, errors: {} as Record<string, number>, seconds: 0 },
    );
    log(`${name}: ${conn.viewers} viewers (${conn.decoded} decoding) + ${conn.senders} senders connected in ${conn.seconds.toFixed(1)} s${conn.failed ? `, ${conn.failed} failed` : ''}`);
    if (conn.viewers === 0 || conn.senders === 0) throw new Error(`${name}: no sockets connected: ${JSON.stringify(conn.errors)}`);

    await guard(sleep(1000));
    const loaded = await guard(t.server.memory(true));
    const sockets = conn.viewers + conn.senders;

    const start = Date.now() + 1000;
    const run = {
      type: 'run' as const,
      sendStart: start,
      windowStart: start + opts.warmup * 1000,
      windowEnd: start + (opts.warmup + opts.window) * 1000,
      drainEnd: start + (opts.warmup + opts.window + opts.drain) * 1000,
    };
    const reports = Promise.all(
      generators.map((gen) => nextMessage(gen, fromGenerator('report'), run.drainEnd - Date.now() + 60_000, 'final report')),
    );
    reports.catch(() => {}); // awaited (guarded) below; this keeps an early failure from going unhandled
    for (const gen of generators) tell(gen, run);
    log(`${name}: chat at ${opts.rate} msg/s, warmup ${opts.warmup} s, window ${opts.window} s, drain ${opts.drain} s`);

    await guard(sleep(run.windowStart - Date.now()));
    const cpu = new CpuWindow([t.server.pid, ...generators.map((g) => g.pid)]);
    cpu.start();
    const machine0 = machineCpu();
    const redis0 = await guard(redisCpuSeconds(redis));
    // A saturated server answers probes late or not at all: those figures are then missing, not the run.
    const elu0 = t.server.elu(PROBE_UNDER_LOAD_MS).catch(() => undefined);
    const redisT0 = performance.now();

    const profiling = opts['cpu-prof']
      ? t.server.profile('start', undefined, PROBE_UNDER_LOAD_MS).then(
          () => true,
          (err: unknown) => (log(`${name}: no CPU profile: ${(err as Error).message}`), false),
        )
      : Promise.resolve(false);
    log(`${name}: window open`);
    await guard(sleep(run.windowEnd - Date.now()));
    const cores = cpu.stop();
    const machine1 = machineCpu();
    const redisCpu = (await guard(redisCpuSeconds(redis))) - redis0;
    const redisSec = (performance.now() - redisT0) / 1000;
    const rssEnd = rssBytes(t.server.pid);
    log(`${name}: window closed, draining`);
    let profileFile: string | undefined;
    if (await profiling) {
      await mkdir(join(RESULTS_DIR, 'prof'), { recursive: true });
      const file = join(RESULTS_DIR, 'prof', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
      profileFile = await t.server.profile('stop', file, 60_000).then(
        () => file,
        (err: unknown) => (log(`${name}: no CPU profile: ${(err as Error).message}`), undefined),
      );
      if (profileFile) log(`${name}: CPU profile of the window in ${relative(process.cwd(), profileFile)}`);
    }
    const [eluA, eluB, end] = await Promise.all([
      elu0,
      t.server.elu(PROBE_UNDER_LOAD_MS).catch(() => undefined),
      t.server.memory(false, PROBE_UNDER_LOAD_MS).catch(() => undefined),
    ]);

    const done: GeneratorReport[] = await guard(reports);
    const latency = new Histogram();
    const acksLatency = new Histogram(30_000);
    for (const r of done) {
      latency.merge(r.latency);
      acksLatency.merge(r.acks.latency);
    }
    const sum = (f: (r: GeneratorReport) => number) => done.reduce((a, r) => a + f(r), 0);
    const windowSec = opts.window;
    const sentInWindow = sum((r) => r.sent.inWindow);
    const inWindow = sum((r) => r.received.inWindow);
    const frames = sum((r) => r.received.framesInWindow);
    return {
      name,
      settings: t.settings,
      ...(t.redisPrefix ? { redisPrefix: t.redisPrefix } : {}),
      connections: conn,
      deliveries: {
        perSec: inWindow / windowSec,
        demandedPerSec: (sentInWindow / windowSec) * conn.viewers,
        framesPerSec: frames / windowSec,
        messagesPerFrame: frames > 0 ? inWindow / frames : 0,
        completeness: sentInWindow > 0 ? sum((r) => r.received.ofWindowMessages) / (sentInWindow * conn.decoded) : 0,
        total: sum((r) => r.received.total),
      },
      latencyMs: { p50: latency.quantile(0.5), p90: latency.quantile(0.9), p99: latency.quantile(0.99), max: latency.max, mean: latency.mean() },
      sent: {
        perSec: sentInWindow / windowSec,
        total: sum((r) => r.sent.total),
        ackOk: sum((r) => r.acks.ok),
        ackErrors: done.reduce((a, r) => plus(a, r.acks.errors), {} as Record<string, number>),
        ackP50Ms: acksLatency.quantile(0.5),
        ackP99Ms: acksLatency.quantile(0.99),
      },
      server: {
        cpu: cores.get(t.server.pid) ?? NaN,
        elu: eluA && eluB ? eluBetween(eluA, eluB) : NaN,
        rssEnd,
        heapUsedEnd: end?.heapUsed ?? NaN,
        heapIdle: idle.heapUsed,
        heapConnected: loaded.heapUsed,
        rssIdle: idle.rss,
        rssConnected: loaded.rss,
        heapPerConnection: (loaded.heapUsed - idle.heapUsed) / sockets,
        rssPerConnection: (loaded.rss - idle.rss) / sockets,
        heapAfterGc: idle.gc && loaded.gc,
      },
      generators: { cpu: generators.map((g) => cores.get(g.pid) ?? NaN), elu: done.map((r) => r.elu) },
      redisCpu: redisCpu / redisSec,
      machineBusy: machineBusy(machine0, machine1),
      machineBusyBefore: busyBefore,
      ...(profileFile ? { profileFile } : {}),
      disconnects: sum((r) => r.disconnects),
    };
  } finally {
    for (const gen of generators) if (gen.alive) tell(gen, { type: 'close' });
    await Promise.all(generators.map((g) => Promise.race([g.exited, sleep(5000).then(() => g.stop(2000))])));
    await target?.stop();
    redis.disconnect();
  }
}
