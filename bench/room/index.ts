import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { machineRecord, RESULTS_DIR, type Benchmark } from '../lib/benchmark.js';
import { BurstRig, GENERATOR_SATURATED, slim } from '../lib/burst.js';
import { deathOf, nextMessage, NodeChild } from '../lib/child.js';
import { Histogram } from '../lib/histogram.js';
import { freePort, waitHttpOk } from '../lib/net.js';
import { cpuSeconds } from '../lib/proc.js';
import { connectFailureLine, loadAverageLine, quietStart, SATURATED_WARNING } from '../lib/interleave.js';
import { ackBody, newCounts, RawClient } from '../lib/raw-client.js';
import { BENCH_REDIS_URL } from '../lib/redis.js';
import { createLiveStream, startStickyroom, streamerToken, type StickyroomServer } from '../lib/stickyroom.js';
import { split } from '../lib/ranges.js';
import { fmt, formatTable } from '../lib/table.js';
import { parseOptions, usageOf, variantsOf, variantsOption, type Variant } from '../lib/variants.js';
import { FromSampler, type SamplerClaimed, type SamplerReport } from './protocol.js';
import { plus } from '../lib/tally.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * `refused`: the same burst of `coupon:claim` frames with an empty `dropId`, refused by the schema before any
 * Redis call. What the room's chat suffers from it is the transport's share (reading and answering every
 * socket), the ceiling the claim burst's slices are judged against, as `bench claims` judges claims.
 */
const BURSTS = ['claim', 'refused'] as const;
type BurstKind = (typeof BURSTS)[number];

export const RoomOptions = z
  .object({
    viewers: int(2, 20_000).default(10_000).describe('viewer sockets in the room (the decoded sample included)'),
    seconds: int(4, 600).default(60).describe('length of the run; the claim burst fires at half of it'),
    chat: z.coerce.number().min(0).max(1000).default(50).describe('chat messages per second, sent by sample sockets'),
    reactions: z.coerce.number().min(0).max(100_000).default(2000).describe('reaction taps per second, sent by sample sockets in events of up to 10'),
    quantity: int(1, 1_000_000).default(1000).describe('coupons in the drop claimed by every viewer at half time'),
    sample: int(1, 2000).default(500).describe('sockets that decode chat (latency); the rest only count frames'),
    generators: int(1, 8).default(2).describe('count-only generator processes (the sampler is one more)'),
    nodes: int(1, 8).default(1).describe('server nodes sharing the room (one Redis, the Socket.IO Redis adapter); the sockets are spread over them'),
    wave: int(1, 2000).default(200).describe('sockets connected at once'),
    heartbeat: int(1, 120).default(15).describe('seconds between heartbeats of each viewer'),
    slice: int(1, 60).default(5).describe('seconds per reported slice'),
    'no-baseline': z.boolean().default(false).describe('skip the bare Socket.IO baseline (heap per connection at the same size)'),
    variants: variantsOption,
    base: z.string().optional().describe('the checkout the `base` variant runs (a "before" snapshot sharing node_modules)'),
    root: z.string().optional().describe('a checkout to run `default` and `no-native` from (default: this tree)'),
    'cpu-prof': z.boolean().default(false).describe("CPU profile of each variant's server over the run (not the drain), to bench/results/prof/"),
    'quiet-wait': int(0, 3600).default(30).describe('wait up to this many seconds for the machine to calm down first'),
    burst: z
      .string()
      .default('claim')
      .transform((x) => x.split(',').map((k) => k.trim()).filter(Boolean))
      .pipe(z.array(z.enum(BURSTS)).min(1))
      .describe('the half-time burst, one room each: claim (every viewer claims the drop), refused (every viewer sends a claim the schema refuses, without Redis: the transport alone)'),
  })
  .strict();
export type RoomOptions = z.infer<typeof RoomOptions>;

/** The parts the decoded sample joins in, each followed by its share of the count-only sockets. */
const SAMPLE_PARTS = 10;

/** The issue's bars. */
export const ROOM_GOALS = { chatP99Ms: 500, loopP99Ms: 100, heapRatio: 1.5 };

const LoopReply = z.object({
  loopDelay: z.object({ maxMs: z.number(), p99Ms: z.number(), meanMs: z.number(), count: z.number(), timerGapMaxMs: z.number().optional() }),
});
type LoopReading = z.infer<typeof LoopReply>['loopDelay'];

async function loopDelay(server: NodeChild, loop: 'reset' | 'read'): Promise<LoopReading> {
  const reply = nextMessage(server, (raw) => LoopReply.safeParse(raw).data?.loopDelay, 30_000, 'an event-loop reading');
  server.proc.send({ loop });
  return reply;
}

function accept<T extends FromSampler['type']>(type: T) {
  return (raw: unknown): Extract<FromSampler, { type: T }> | undefined => {
    const msg = FromSampler.safeParse(raw);
    if (!msg.success) return undefined;
    if (msg.data.type === 'fatal') throw new Error(`sampler failed: ${msg.data.message}`);
    return msg.data.type === type ? (msg.data as Extract<FromSampler, { type: T }>) : undefined;
  };
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

export interface RoomSlice {
  /** Seconds from the start of the run to the slice's start. */
  fromSec: number;
  chatSent: number;
  /** Chat messages sent in this slice that reached a sample socket. */
  chatReceived: number;
  chatP50Ms: number;
  chatP99Ms: number;
  chatMaxMs: number;
  /** Chat p99 from the server's accept (the message's `at`) to the sample: the tick, the delivery and the reading, without the send. */
  chatFromAcceptP99Ms: number;
  /** Push frames received by every socket in this slice (count-only and sample). */
  deliveries: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** The longest a JavaScript timer due every 10 ms waited in the server (loop-probe.ts): stalls the loop delay misses. */
  timerGapMaxMs: number;
  serverCpu: number;
  /** Highest CPU share of one generator process (count-only or sampler). */
  generatorCpuMax: number;
  burst: boolean;
}

export interface HeapFigures {
  sockets: number;
  idleHeap: number;
  loadedHeap: number;
  perConnection: number;
}

export interface RoomResult {
  /** The server variant measured (`default` unless --variants says otherwise). */
  variant: string;
  /** The half-time burst: real claims, or claims the schema refuses (the transport alone). */
  burstKind: BurstKind;
  redisPrefix: string;
  connected: { sockets: number; sample: number; failed: number; errors: Record<string, number>; seconds: number };
  slices: RoomSlice[];
  burst: {
    sent: number;
    ok: number;
    distinctCodes: number;
    errors: Record<string, number>;
    missing: number;
    recordedCodes: number;
    exact: boolean;
    latencyMs: { p50: number; p99: number; max: number };
    countOnly: ReturnType<typeof slim>;
  };
  chat: SamplerReport['chat'];
  reactions: SamplerReport['reactions'];
  heartbeats: { sent: number; ok: number; errors: Record<string, number> };
  /** Push frames per sample socket per second during the run, by event name (every socket of the room gets the same). */
  census: Record<string, number>;
  /** The server's CPU profile over the run, with --cpu-prof. */
  profileFile?: string;
  disconnects: number;
  generatorElu: number[];
  heap: HeapFigures;
  baselineHeap?: HeapFigures;
  machineBusyBefore: number;
}

/** Heap growth per socket: idle server (after GC), then with the sockets connected and joined (after GC). */
const heapOf = (sockets: number, idle: number, loaded: number): HeapFigures => ({ sockets, idleHeap: idle, loadedHeap: loaded, perConnection: (loaded - idle) / Math.max(1, sockets) });

async function measureBaseline(opts: RoomOptions, log: (l: string) => void): Promise<HeapFigures> {
  const port = await freePort();
  const server = new NodeChild({ name: 'baseline', entry: 'bench/baseline/server.ts', env: { PORT: String(port), HOST: '127.0.0.1' }, probe: true });
  const url = `http://127.0.0.1:${port}`;
  const rig = new BurstRig(opts.generators, server.pid);
  try {
    await waitHttpOk(`${url}/healthz`, 30_000, () => server.alive);
    const idle = await server.memory(true);
    log(`baseline: connecting ${opts.viewers} sockets, each joining the room`);
    const conn = await Promise.race([rig.connect({ url, jwtSecret: 'x'.repeat(32), viewers: opts.viewers, userPrefix: 'v', wave: opts.wave, joinStreamId: 'bench' }), deathOf(server)]);
    await sleep(1000);
    const loaded = await server.memory(true);
    return heapOf(conn.sockets, idle.heapUsed, loaded.heapUsed);
  } finally {
    await rig.close();
    await server.stop();
  }
}

async function measureRoom(opts: RoomOptions, v: Variant, burstKind: BurstKind, busyBefore: number, log: (l: string) => void): Promise<RoomResult> {
  const sample = Math.min(opts.sample, opts.viewers - 1);
  const bulk = opts.viewers - sample;
  // Production limits, raised only where the sample's share of the room's chat and taps would exceed them.
  const chatPer10s = (opts.chat / sample) * 10;
  const tapsPerSec = opts.reactions / sample;
  const env = {
    CHAT_RATE_LIMIT: String(Math.min(1000, Math.max(5, Math.ceil(chatPer10s * 2)))),
    CHAT_RATE_WINDOW_SEC: '10',
    REACTION_RATE_LIMIT: String(Math.max(20, Math.ceil(tapsPerSec * 2))),
  };
  const nodeOptions = (n: number) => ({
    name: `stickyroom (${v.name})${opts.nodes > 1 ? ` node ${n + 1}` : ''}`,
    env: { ...env, ...v.env },
    nodeFlags: ['--import', './bench/summary/loop-probe.ts'],
    ...(v.root ? { root: v.root } : {}),
  });
  const s = await startStickyroom(nodeOptions(0));
  const others: StickyroomServer[] = [];
  const servers = [s.server];
  const stopAll = async () => {
    for (const o of others) await o.stop();
    await s.stop();
  };
  try {
    for (let n = 1; n < opts.nodes; n++) {
      others.push(await startStickyroom({ ...nodeOptions(n), joining: s }));
      servers.push(others[n - 1]!.server);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  // the sockets' share of the room, part by part, goes to each node in turn
  const urls = [s.url, ...others.map((o) => o.url)];
  const death = Promise.race(servers.map(deathOf));
  const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, death]);
  const rig = new BurstRig(opts.generators, s.server.pid);
  const sampler = new NodeChild({ name: 'room sampler', entry: 'bench/room/sampler.ts' });
  let streamer: RawClient | undefined;
  try {
    // the deployment's heap: every node's, after a full GC
    const heapUsed = async () => ({ heapUsed: (await guard(Promise.all(servers.map((x) => x.memory(true))))).reduce((a, m) => a + m.heapUsed, 0) });
    const idle = await heapUsed();
    const streamId = await createLiveStream(s.url, s.jwtSecret, 'room benchmark');
    streamer = await RawClient.connect(s.url, { token: await streamerToken(s.jwtSecret) }, newCounts(), 10_000);
    log(`connecting ${sample} decoded sample sockets and ${bulk} count-only ones (${opts.generators} generators), each joining the stream${opts.nodes > 1 ? `, spread over ${opts.nodes} nodes` : ''}`);
    // The sample joins in parts between the count-only sockets, so it is spread over the room's order: a
    // broadcast is written to the room's sockets in the order they joined, a chunk per turn of the loop, and
    // a sample that joined first would only ever see the first chunk's latency.
    const parts = Math.max(1, Math.min(SAMPLE_PARTS, sample, bulk));
    const sampled = { sockets: 0, failed: 0, errors: {} as Record<string, number>, ms: 0 };
    const conn = { sockets: 0, failed: 0, errors: {} as Record<string, number>, ms: 0 };
    const add = (into: typeof sampled, got: typeof sampled) => {
      into.sockets = got.sockets; // both report the sockets they hold so far
      into.failed += got.failed;
      into.errors = plus(into.errors, got.errors);
      into.ms += got.ms;
    };
    for (let p = 0; p < parts; p++) {
      const s1 = split(sample, parts, p);
      const sConn = nextMessage(sampler, accept('connected'), 600_000, 'sampler connected');
      const url = urls[p % urls.length]!;
      sampler.proc.send({ type: 'init', url, jwtSecret: s.jwtSecret, streamId, userPrefix: 'd', ...s1, wave: opts.wave, ackTimeoutMs: 30_000 });
      add(sampled, await guard(sConn));
      const b1 = split(bulk, parts, p);
      add(conn, await guard(rig.connect({ url, jwtSecret: s.jwtSecret, viewers: b1.count, from: b1.from, userPrefix: 'v', wave: opts.wave, joinStreamId: streamId })));
    }
    const sockets = sampled.sockets + conn.sockets;
    const failed = sampled.failed + conn.failed;
    const errors = { ...sampled.errors, ...conn.errors };
    log(`${sockets} connected in ${((sampled.ms + conn.ms) / 1000).toFixed(1)} s${failed ? `, ${failed} failed: ${JSON.stringify(errors)}` : ''}`);
    if (conn.sockets === 0 || sampled.sockets === 0) throw new Error(`sockets did not connect: ${JSON.stringify(errors)}`);
    await sleep(1000);
    const loaded = await heapUsed();

    const durationMs = opts.seconds * 1000;
    const sliceMs = opts.slice * 1000;
    const startAt = Date.now() + 1000;
    const burstAt = startAt + Math.floor(durationMs / 2);
    const nSlices = Math.ceil(durationMs / sliceMs);
    log(`running ${opts.seconds} s: chat ${opts.chat}/s, ${opts.reactions} taps/s, heartbeats every ${opts.heartbeat} s, ${burstKind === 'claim' ? 'claim' : 'refused-claim'} burst at ${opts.seconds / 2} s`);
    const steady = guard(rig.steady({ startAt, durationMs, sliceMs, event: 'presence:heartbeat', payload: { streamId, visible: true }, periodMs: opts.heartbeat * 1000 }));
    const report = nextMessage(sampler, accept('report'), durationMs + 60_000, 'sampler report');
    report.catch(() => {});
    sampler.proc.send({ type: 'run', startAt, durationMs, sliceMs, chatPerSec: opts.chat, reactionsPerSec: opts.reactions, heartbeatMs: opts.heartbeat * 1000, drainMs: 15_000 });

    // Per slice: the servers' event-loop delay (the worst node's) and the CPU of every process.
    const pids = [...servers.map((x) => x.pid), sampler.pid, ...rig.pids];
    const perSlice: { loop: LoopReading; cpu: number[] }[] = [];
    let profileFile: string | undefined;
    const probing = (async () => {
      await sleep(startAt - Date.now());
      if (opts['cpu-prof']) await s.server.profile('start', undefined, 30_000);
      await Promise.all(servers.map((x) => loopDelay(x, 'reset')));
      let cpu0 = pids.map(cpuSeconds);
      let t0 = performance.now();
      for (let k = 1; k <= nSlices; k++) {
        await sleep(Math.max(0, startAt + Math.min(k * sliceMs, durationMs) - Date.now()));
        const loop = worstNodeLoop(await Promise.all(servers.map((x) => loopDelay(x, 'read'))));
        await Promise.all(servers.map((x) => loopDelay(x, 'reset')));
        const cpu1 = pids.map(cpuSeconds);
        const t1 = performance.now();
        perSlice.push({ loop, cpu: cpu1.map((c, i) => (c - cpu0[i]!) / ((t1 - t0) / 1000)) });
        cpu0 = cpu1;
        t0 = t1;
      }
      if (opts['cpu-prof']) {
        await mkdir(join(RESULTS_DIR, 'prof'), { recursive: true });
        profileFile = join(RESULTS_DIR, 'prof', `room-${v.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
        await s.server.profile('stop', profileFile, 60_000);
        log(`${v.name}: CPU profile of the run in ${relative(process.cwd(), profileFile)}`);
      }
    })();

    // The claim burst at half time, on a drop opened just before it, by every socket.
    await guard(sleep(Math.max(0, burstAt - 1500 - Date.now())));
    const drop = await guard(
      ask(streamer, 'coupon:drop', { streamId, title: 'room drop', discount: { type: 'percent', value: 10 }, quantity: opts.quantity, perViewer: 1, durationSec: 3600 }),
    );
    // the drop opens either way (its push is part of the room's moment); only a `claim` burst claims it
    const dropId = burstKind === 'claim' ? (drop.drop as { id: string }).id : '';
    const timeoutMs = 60_000;
    const sClaim = nextMessage(sampler, accept('claimed'), burstAt - Date.now() + timeoutMs + 30_000, 'sampler claims');
    sampler.proc.send({ type: 'claim', at: burstAt, dropId, opIdPrefix: 'room-d', timeoutMs });
    const [countOnly, sampledClaims] = await guard(
      Promise.all([rig.fire('claims', { event: 'coupon:claim', payload: { dropId }, opIdPrefix: 'room-v', fresh: true, decode: 'all', sample: 0, timeoutMs }, Math.max(0, burstAt - Date.now())), sClaim]),
    );
    const [steadied, samplerReport] = await guard(Promise.all([steady, report, probing]).then(([a, b]) => [a, b] as const));

    const redis = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 1 });
    let recordedCodes = NaN;
    try {
      recordedCodes = await redis.hlen(`${s.redisPrefix}{s:${streamId}}:coupons:codes`);
    } finally {
      redis.disconnect();
    }

    const slices: RoomSlice[] = samplerReport.slices.map((x, k) => {
      const h = new Histogram(60_000);
      h.merge(x.latency);
      const fromAccept = new Histogram(60_000);
      fromAccept.merge(x.fromAccept);
      const cpu = perSlice[k]?.cpu ?? [];
      return {
        fromSec: (k * sliceMs) / 1000,
        chatSent: x.chatSent,
        chatReceived: x.chatReceived,
        chatP50Ms: h.quantile(0.5),
        chatP99Ms: h.quantile(0.99),
        chatMaxMs: h.max,
        chatFromAcceptP99Ms: fromAccept.quantile(0.99),
        deliveries: x.pushes + steadied.reduce((a, g) => a + (g.pushesBySlice[k] ?? 0), 0),
        loopP99Ms: perSlice[k]?.loop.p99Ms ?? NaN,
        loopMaxMs: perSlice[k]?.loop.maxMs ?? NaN,
        // a tree from before the probe read timers has none
        timerGapMaxMs: perSlice[k]?.loop.timerGapMaxMs ?? NaN,
        // every node's, added: CPU per push frame counts the whole deployment
        serverCpu: cpu.length ? cpu.slice(0, servers.length).reduce((a, c) => a + c, 0) : NaN,
        generatorCpuMax: Math.max(...cpu.slice(servers.length)),
        burst: burstAt >= startAt + k * sliceMs && burstAt < startAt + (k + 1) * sliceMs,
      };
    });
    const claimed = mergeClaims(countOnly.codes, countOnly.errors, countOnly.missing, countOnly.sent, countOnly.ok, sampledClaims);
    // every claim answered: Q codes and the rest sold_out, or every one refused by the schema
    const expectOk = burstKind === 'claim' ? Math.min(opts.quantity, sockets) : 0;
    const refusal = burstKind === 'claim' ? 'sold_out' : 'invalid_payload';
    const exact =
      claimed.ok === expectOk &&
      claimed.distinctCodes === expectOk &&
      claimed.missing === 0 &&
      (claimed.errors[refusal] ?? 0) === sockets - expectOk &&
      Object.keys(claimed.errors).every((k) => k === refusal) &&
      recordedCodes === expectOk;
    const latency = new Histogram(timeoutMs + 1000);
    latency.merge(sampledClaims.latency);
    const runSec = durationMs / 1000;
    const census = Object.fromEntries(
      Object.entries(samplerReport.census.frames)
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => [name, n / Math.max(1, samplerReport.census.sockets) / runSec]),
    );
    return {
      variant: v.name,
      burstKind,
      redisPrefix: s.redisPrefix,
      connected: { sockets, sample: sampled.sockets, failed, errors, seconds: (sampled.ms + conn.ms) / 1000 },
      slices,
      burst: {
        ...claimed,
        recordedCodes,
        exact,
        // the count-only sockets' latencies are in countOnly; these are the sample's
        latencyMs: { p50: Math.max(latency.quantile(0.5), countOnly.latencyMs.p50), p99: Math.max(latency.quantile(0.99), countOnly.latencyMs.p99), max: Math.max(latency.max, countOnly.latencyMs.max) },
        countOnly: slim(countOnly),
      },
      chat: samplerReport.chat,
      reactions: samplerReport.reactions,
      heartbeats: {
        sent: samplerReport.heartbeats.sent + steadied.reduce((a, g) => a + g.sent, 0),
        ok: samplerReport.heartbeats.ok + steadied.reduce((a, g) => a + g.ok, 0),
        errors: steadied.reduce((a, g) => plus(a, g.errors), samplerReport.heartbeats.errors),
      },
      census,
      ...(profileFile ? { profileFile } : {}),
      disconnects: samplerReport.disconnects + Math.max(0, ...steadied.map((g) => g.disconnects)),
      generatorElu: [samplerReport.elu, ...steadied.map((g) => g.elu)],
      heap: heapOf(sockets, idle.heapUsed, loaded.heapUsed),
      machineBusyBefore: busyBefore,
    };
  } finally {
    streamer?.close();
    if (sampler.alive) sampler.proc.send({ type: 'close' });
    await Promise.race([sampler.exited, sleep(5000).then(() => sampler.stop(2000))]);
    await rig.close();
    await stopAll();
  }
}

/** The worst of the nodes' readings: each figure its highest (the loop delay a viewer on the slowest node sees). */
function worstNodeLoop(readings: LoopReading[]): LoopReading {
  const gaps = readings.map((r) => r.timerGapMaxMs).filter((g): g is number => g !== undefined);
  return {
    maxMs: Math.max(...readings.map((r) => r.maxMs)),
    p99Ms: Math.max(...readings.map((r) => r.p99Ms)),
    meanMs: Math.max(...readings.map((r) => r.meanMs)),
    count: readings.reduce((a, r) => a + r.count, 0),
    ...(gaps.length ? { timerGapMaxMs: Math.max(...gaps) } : {}),
  };
}

function mergeClaims(codes: string[], errors: Record<string, number>, missing: number, sent: number, ok: number, s: SamplerClaimed) {
  return { sent: sent + s.sent, ok: ok + s.ok, distinctCodes: new Set([...codes, ...s.codes]).size, errors: plus(errors, s.errors), missing: missing + s.missing };
}

function table(r: RoomResult): string {
  const header = ['slice (s)', 'chat sent', 'received', 'chat p50 ms', 'chat p99 ms', 'after accept p99', 'chat max ms', 'push frames', 'loop p99 ms', 'loop max ms', 'timer gap max ms', 'server CPU', 'generator CPU max'];
  const rows = r.slices.map((x) => [
    `${x.fromSec}-${x.fromSec + (r.slices[1]?.fromSec ?? 0) - (r.slices[0]?.fromSec ?? 0)}${x.burst ? ' (burst)' : ''}`,
    fmt.int(x.chatSent),
    fmt.int(x.chatReceived),
    fmt.int(x.chatP50Ms),
    fmt.int(x.chatP99Ms),
    fmt.int(x.chatFromAcceptP99Ms),
    fmt.int(x.chatMaxMs),
    fmt.int(x.deliveries),
    fmt.fixed(x.loopP99Ms, 1),
    fmt.fixed(x.loopMaxMs, 1),
    fmt.int(x.timerGapMaxMs),
    fmt.pct(x.serverCpu),
    fmt.pct(x.generatorCpuMax),
  ]);
  return formatTable(header, rows);
}

function verdicts(r: RoomResult, opts: RoomOptions): { lines: string[]; must: boolean; goal: boolean } {
  const worstChat = Math.max(...r.slices.map((x) => x.chatP99Ms).filter(Number.isFinite));
  const worstLoop = Math.max(...r.slices.map((x) => x.loopP99Ms).filter(Number.isFinite));
  const chatOk = r.slices.every((x) => x.chatReceived > 0 && x.chatP99Ms <= ROOM_GOALS.chatP99Ms);
  const loopOk = worstLoop <= ROOM_GOALS.loopP99Ms;
  const heapRatio = r.baselineHeap ? r.heap.perConnection / r.baselineHeap.perConnection : NaN;
  const heapOk = heapRatio <= ROOM_GOALS.heapRatio;
  const b = r.burst;
  const lines = [
    r.burstKind === 'claim'
      ? `MUST ${b.exact ? 'met' : 'MISSED'}: burst exact: ${b.ok} codes (${b.distinctCodes} distinct, ${b.recordedCodes} recorded) for ${b.sent} claims on a drop of ${opts.quantity}, ${JSON.stringify(b.errors)}, ${b.missing} missing; claim p99 ${fmt.int(b.latencyMs.p99)} ms`
      : `MUST ${b.exact ? 'met' : 'MISSED'}: refused burst answered: ${JSON.stringify(b.errors)} for ${b.sent} claims the schema refuses, ${b.ok} codes, ${b.missing} missing; refusal p99 ${fmt.int(b.latencyMs.p99)} ms`,
    `GOAL ${chatOk ? 'met' : 'MISSED'}: chat send-to-receive p99 <= ${ROOM_GOALS.chatP99Ms} ms in every slice (worst ${fmt.int(worstChat)} ms; ${r.chat.sent} sent, ${r.chat.ok} acked, errors ${JSON.stringify(r.chat.errors)})`,
    `GOAL ${loopOk ? 'met' : 'MISSED'}: server event-loop delay p99 <= ${ROOM_GOALS.loopP99Ms} ms in every slice (worst ${fmt.fixed(worstLoop, 1)} ms)`,
    r.baselineHeap
      ? `GOAL ${heapOk ? 'met' : 'MISSED'}: heap per connection ${fmt.kb(r.heap.perConnection)} = ${fmt.fixed(heapRatio, 2)}x the bare Socket.IO baseline's ${fmt.kb(r.baselineHeap.perConnection)} at ${r.baselineHeap.sockets} sockets (<= ${ROOM_GOALS.heapRatio}x)`
      : `heap per connection ${fmt.kb(r.heap.perConnection)} (no baseline measured)`,
    `reactions: ${r.reactions.taps} taps in ${r.reactions.sent} events, ${r.reactions.ok} acked, errors ${JSON.stringify(r.reactions.errors)}; heartbeats: ${r.heartbeats.sent} sent, ${r.heartbeats.ok} acked, errors ${JSON.stringify(r.heartbeats.errors)}`,
    `server CPU per 100,000 push frames: ${fmt.fixed(cpuPer100k(r), 2)} core-seconds`,
    `push frames per socket per second: ${Object.entries(r.census)
      .map(([name, n]) => `${name} ${fmt.fixed(n, 2)}`)
      .join(', ')}`,
  ];
  const saturatedSlices = r.slices.filter((x) => x.generatorCpuMax >= GENERATOR_SATURATED).length;
  const saturated = saturatedSlices > 0 || r.generatorElu.some((e) => e >= GENERATOR_SATURATED) || b.countOnly.generatorSaturated;
  if (saturated)
    lines.push(`WARNING: ${SATURATED_WARNING} in ${saturatedSlices} slice(s) or in the burst: those figures measure the generator, not the server, and no goal counts as met`);
  lines.push(...connectFailureLine('', r.connected));
  if (r.disconnects > 0) lines.push(`WARNING: ${r.disconnects} sockets dropped during the run`);
  lines.push(loadAverageLine(`machine ${fmt.pct(r.machineBusyBefore)} busy before; `));
  if (opts.viewers < 10_000 || opts.seconds < 60) lines.push('NOTE: a reduced-size run; the goals are set for 10,000 viewers over 60 s');
  return { lines, must: b.exact, goal: chatOk && loopOk && heapOk && !saturated };
}

/**
 * Per variant run with both bursts: the burst slices' worst chat p99 against the refused burst's, the share of
 * the burst's chat wait the transport alone causes.
 */
export function burstCeilingLines(results: readonly RoomResult[]): string[] {
  const worstBurstChat = (r: RoomResult) => Math.max(...r.slices.filter((x, k) => x.burst || r.slices[k + 1]?.burst).map((x) => x.chatP99Ms));
  const lines: string[] = [];
  for (const claim of results.filter((r) => r.burstKind === 'claim')) {
    const refused = results.find((r) => r.burstKind === 'refused' && r.variant === claim.variant);
    if (!refused) continue;
    const [c, t] = [worstBurstChat(claim), worstBurstChat(refused)];
    lines.push(`${claim.variant}: chat p99 around the burst (its slice and the one before) ${fmt.int(c)} ms with claims, ${fmt.int(t)} ms with the refused burst (the transport alone): ${fmt.fixed(c / t, 2)}x`);
  }
  return lines;
}

function cpuPer100k(r: RoomResult): number {
  const deliveries = r.slices.reduce((a, x) => a + x.deliveries, 0);
  const cpuSec = r.slices.reduce((a, x, k) => a + x.serverCpu * ((r.slices[k + 1]?.fromSec ?? x.fromSec + (r.slices[1]?.fromSec ?? 5)) - x.fromSec), 0);
  return (cpuSec / Math.max(1, deliveries)) * 100_000;
}

/**
 * One room of N viewers for D seconds: heartbeats, chat, reactions and, at half time, a claim burst by every
 * viewer; per-slice chat latency (decoded sample), deliveries and server event-loop delay, and heap per
 * connection against the bare Socket.IO baseline. See docs/benchmarks.md.
 */
export const room: Benchmark = {
  name: 'room',
  summary: 'one room of N viewers for D s: heartbeats, chat, reactions and a claim burst at half time, reported per 5 s slice',
  usage: () => usageOf(RoomOptions),
  async run(argv, log) {
    const opts = parseOptions(RoomOptions, argv);
    const busyBefore = await quietStart(opts['quiet-wait'], log);
    // Each variant and burst runs one whole room, one after the other, in the order given.
    const results: RoomResult[] = [];
    for (const v of variantsOf(opts.variants, opts.base, opts.root)) for (const kind of opts.burst) results.push(await measureRoom(opts, v, kind, busyBefore, log));
    if (!opts['no-baseline']) {
      const baselineHeap = await measureBaseline(opts, log);
      for (const r of results) r.baselineHeap = baselineHeap;
    }
    const several = results.length > 1;
    const verdictsOf = results.map((r) => verdicts(r, opts));
    const title = (r: RoomResult) =>
      `room: ${opts.viewers} viewers${opts.nodes > 1 ? ` on ${opts.nodes} nodes` : ''} for ${opts.seconds} s, chat ${opts.chat}/s, ${opts.reactions} taps/s, heartbeats every ${opts.heartbeat} s, ` +
      `a drop of ${opts.quantity} ${r.burstKind === 'claim' ? 'claimed by every viewer' : 'and every viewer sending a claim the schema refuses'} at ${opts.seconds / 2} s`;
    const label = (r: RoomResult) => (several ? `[${[opts.variants.length > 1 ? r.variant : '', opts.burst.length > 1 ? r.burstKind : ''].filter(Boolean).join(', ')}] ` : '');
    const tables = results.map((r) => `${label(r)}${title(r)} (${r.connected.sample} decoded)\n\n${table(r)}`);
    const notes = results.flatMap((r, i) => verdictsOf[i]!.lines.map((l) => `${label(r)}${l}`));
    notes.push(...burstCeilingLines(results));
    const result = results[results.length - 1]!;
    return {
      table: tables.join('\n\n'),
      notes,
      json: {
        benchmark: 'room',
        at: new Date().toISOString(),
        machine: machineRecord(),
        options: opts,
        result,
        ...(several ? { results } : {}),
        must: verdictsOf.every((v) => v.must),
        goal: verdictsOf.every((v) => v.goal),
        notes,
      },
    };
  },
};
