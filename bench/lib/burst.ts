import type { z } from 'zod';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeChild, nextMessage } from './child.js';
import { FromBurst, type BurstConnected, type BurstFireSpec, type BurstReport, type BurstSteady, type BurstSteadyReport, type ToBurst } from './burst-protocol.js';
import { Histogram } from './histogram.js';
import { CpuWindow, machineBusy, machineCpu } from './proc.js';
import { split, type Range } from './ranges.js';
import { plus } from './tally.js';

/** A generator at or above this share of a core (or of its event loop) measures itself, not the server. */
export const GENERATOR_SATURATED = 0.9;

/** Each generator gets a range of its own in every call: call k's viewers follow call k-1's. */
function shifted(range: Range, by: number): Range {
  return { from: range.from + by, count: range.count };
}

function accept<T extends FromBurst['type']>(type: T) {
  return (raw: unknown): Extract<FromBurst, { type: T }> | undefined => {
    const msg = FromBurst.safeParse(raw);
    if (!msg.success) return undefined;
    if (msg.data.type === 'fatal') throw new Error(`generator failed: ${msg.data.message}`);
    return msg.data.type === type ? (msg.data as Extract<FromBurst, { type: T }>) : undefined;
  };
}

/** One burst: every socket of every generator sent one event at the same instant. */
export interface BurstResult {
  label: string;
  sent: number;
  ok: number;
  errors: Record<string, number>;
  missing: number;
  /** Acks per second: answered sockets over the span from the instant to the last ack. */
  perSec: number;
  spanMs: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  codes: string[];
  samples: unknown[];
  ackBytes: number;
  pushes: number;
  /** Pushes counted in the `settleMs` after the last ack (trailing-edge pushes the burst caused). */
  pushesAfter: number;
  disconnects: number;
  /** Cores used over the span (1 = one core busy the whole span). */
  serverCpu: number;
  /**
   * The server's CPU time per answered socket, in ms: what one ack cost, however long a loaded machine made
   * the burst last (steadier than acks/s on a shared machine, where the server waits for a core).
   */
  serverCpuMsPerAck: number;
  generatorCpu: number[];
  generatorElu: number[];
  /** The busiest generator over the span (CPU or event loop), 0..1. */
  generatorMax: number;
  generatorSaturated: boolean;
  /** All cores, 0..1, and the 1-minute load average at the end of the burst. */
  machineBusy: number;
  loadAvg1: number;
}

/** Generator processes of raw sockets for burst benchmarks (claims, join), with CPU recorded per burst. */
export class BurstRig {
  readonly generators: NodeChild[];
  sockets = 0;

  constructor(
    readonly count: number,
    private readonly serverPid: number,
  ) {
    this.generators = Array.from({ length: count }, (_, i) => new NodeChild({ name: `generator ${i + 1}`, entry: 'bench/lib/burst-generator.ts' }));
  }

  private tell(gen: NodeChild, msg: z.input<typeof ToBurst>): void {
    gen.proc.send(msg);
  }

  /**
   * Connects `viewers` sockets spread over the generators (joined to `joinStreamId` if given), viewers
   * `<userPrefix><from>` on; a later call connects more (`sockets` counts them all).
   */
  async connect(opts: { url: string; jwtSecret: string; viewers: number; userPrefix: string; wave: number; joinStreamId?: string; from?: number }): Promise<BurstConnected> {
    const timeout = Math.min(600_000, 60_000 + (opts.viewers / opts.wave) * 30_000);
    const replies = await Promise.all(
      this.generators.map((gen, i) => {
        const reply = nextMessage(gen, accept('connected'), timeout, 'connected report');
        this.tell(gen, {
          type: 'init',
          url: opts.url,
          jwtSecret: opts.jwtSecret,
          userPrefix: opts.userPrefix,
          ...shifted(split(opts.viewers, this.count, i), opts.from ?? 0),
          wave: Math.max(1, Math.round(opts.wave / this.count)),
          ackTimeoutMs: 30_000,
          ...(opts.joinStreamId ? { joinStreamId: opts.joinStreamId } : {}),
        });
        return reply;
      }),
    );
    const all = replies.reduce(
      (a, c) => ({ type: 'connected' as const, sockets: a.sockets + c.sockets, failed: a.failed + c.failed, errors: plus(a.errors, c.errors), ms: Math.max(a.ms, c.ms) }),
      { type: 'connected' as const, sockets: 0, failed: 0, errors: {}, ms: 0 },
    );
    this.sockets = all.sockets;
    return all;
  }

  /** Every socket sends `event` at one instant (`leadMs` from now); resolves once every ack came or timed out. */
  async fire(label: string, spec: BurstFireSpec, leadMs = 500): Promise<BurstResult> {
    const at = Date.now() + leadMs;
    const reports = Promise.all(this.generators.map((gen) => nextMessage(gen, accept('fired'), leadMs + spec.timeoutMs + (spec.settleMs ?? 0) + 30_000, `${label} report`)));
    reports.catch(() => {});
    for (const gen of this.generators) this.tell(gen, { type: 'fire', at, ...spec });
    await sleep(Math.max(0, at - Date.now()));
    const cpu = new CpuWindow([this.serverPid, ...this.generators.map((g) => g.pid)]);
    cpu.start();
    const cpuFrom = performance.now();
    const machine0 = machineCpu();
    const done: BurstReport[] = await reports;
    const cores = cpu.stop();
    const cpuSeconds = (performance.now() - cpuFrom) / 1000;
    const machine = machineBusy(machine0, machineCpu());
    const latency = new Histogram(spec.timeoutMs + 1000);
    for (const r of done) latency.merge(r.latency);
    const sum = (f: (r: BurstReport) => number) => done.reduce((a, r) => a + f(r), 0);
    const sent = sum((r) => r.sent);
    const missing = sum((r) => r.missing);
    const spanMs = Math.max(1, Math.max(...done.map((r) => r.lastAckAt)) - Math.min(...done.map((r) => r.firstSendAt)));
    const generatorCpu = this.generators.map((g) => cores.get(g.pid) ?? NaN);
    const generatorElu = done.map((r) => r.elu);
    const generatorMax = Math.max(...generatorCpu.filter(Number.isFinite), ...generatorElu);
    return {
      label,
      sent,
      ok: sum((r) => r.ok),
      errors: done.reduce((a, r) => plus(a, r.errors), {} as Record<string, number>),
      missing,
      perSec: ((sent - missing) / spanMs) * 1000,
      spanMs,
      latencyMs: { p50: latency.quantile(0.5), p90: latency.quantile(0.9), p99: latency.quantile(0.99), max: latency.max, mean: latency.mean() },
      codes: done.flatMap((r) => r.codes),
      samples: done.flatMap((r) => r.samples),
      ackBytes: sum((r) => r.ackBytes),
      pushes: sum((r) => r.pushes),
      pushesAfter: sum((r) => r.pushesAfter),
      disconnects: sum((r) => r.disconnects),
      serverCpu: cores.get(this.serverPid) ?? NaN,
      serverCpuMsPerAck: (((cores.get(this.serverPid) ?? NaN) * cpuSeconds) / Math.max(1, sent - missing)) * 1000,
      generatorCpu,
      generatorElu,
      generatorMax,
      generatorSaturated: generatorMax >= GENERATOR_SATURATED,
      machineBusy: machine,
      loadAvg1: loadavg()[0]!,
    };
  }

  /** Starts a steady phase on every generator (see BurstSteady); resolves with each generator's report once it ends. */
  steady(spec: Omit<BurstSteady, 'type'>): Promise<BurstSteadyReport[]> {
    const reports = Promise.all(this.generators.map((gen) => nextMessage(gen, accept('steadied'), spec.startAt - Date.now() + spec.durationMs + 30_000, 'steady report')));
    reports.catch(() => {});
    for (const gen of this.generators) this.tell(gen, { type: 'steady', ...spec });
    return reports;
  }

  /** The generators' process ids (for CPU accounting). */
  get pids(): number[] {
    return this.generators.map((g) => g.pid);
  }

  async close(): Promise<void> {
    for (const gen of this.generators) if (gen.alive) this.tell(gen, { type: 'close' });
    await Promise.all(this.generators.map((g) => Promise.race([g.exited, sleep(5000).then(() => g.stop(2000))])));
  }
}

/** A burst without its bulky parts (codes, samples), for the JSON. */
export function slim(r: BurstResult): Omit<BurstResult, 'codes' | 'samples'> & { codeCount: number } {
  const { codes, samples: _samples, ...rest } = r;
  return { ...rest, codeCount: codes.length };
}
