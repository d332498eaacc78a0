import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RedisClient } from './redis/client.js';
import { WindowMax, watchTimerLag } from './timer-lag.js';

/**
 * Prometheus metrics shared by the server nodes and the worker. Every name starts with `stickyroom_`;
 * labels take values from small fixed sets (command names, client roles, outcome codes), never an id.
 *
 * Each process serves two registries at /metrics: the process's own (prom-client's defaults: CPU, memory,
 * GC, event-loop lag), made once however many apps the process runs (tests run several), and the app's.
 */
export const METRIC_PREFIX = 'stickyroom_';

let processRegistry: Registry | undefined;

/** How often the process's timer-lag probe is due (timer-lag.ts). */
const TIMER_LAG_EVERY_MS = 100;
/** The longest timer wait is kept for at least this long: a scrape every minute or more often sees every stall. */
const TIMER_LAG_WINDOW_MS = 60_000;

/**
 * prom-client's default metrics of this process (event-loop lag among them) and how late a JavaScript timer
 * runs, collected once per process.
 */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: METRIC_PREFIX });
    registerTimerLag(processRegistry);
  }
  return processRegistry;
}

function registerTimerLag(registry: Registry): void {
  const lag = new Histogram({
    name: `${METRIC_PREFIX}timer_lag_seconds`,
    help: `How late a JavaScript timer due every ${TIMER_LAG_EVERY_MS} ms ran (the chat and a big room's deliveries run on timers)`,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const longest = new WindowMax(TIMER_LAG_WINDOW_MS);
  new Gauge({
    name: `${METRIC_PREFIX}timer_lag_max_seconds`,
    help: 'The longest a JavaScript timer of this process waited past its due time in the last 60 to 120 seconds',
    registers: [registry],
    collect() {
      this.set(longest.read() / 1000);
    },
  });
  watchTimerLag((lateMs) => {
    lag.observe(lateMs / 1000);
    longest.add(lateMs);
  }, TIMER_LAG_EVERY_MS);
}

/** The text of a /metrics answer: the process's default metrics and the app's own. */
export function renderMetrics(registry: Registry): Promise<string> {
  return Registry.merge([processMetrics(), registry]).metrics();
}

/** The content type of `renderMetrics` (Prometheus text format). */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The METRICS_TOKEN rule of every /metrics: open when no token is configured, else `Authorization: Bearer
 * <token>`, compared in constant time.
 */
export function metricsRequestAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

/** Commands that wait on purpose (BullMQ's blocking fetch): their time says nothing about Redis. */
const WAITING_COMMANDS = new Set(['bzpopmin', 'bzpopmax', 'brpoplpush', 'blmove', 'brpop', 'blpop', 'bzmpop', 'blmpop', 'xread', 'xreadgroup']);

/**
 * A histogram for a hot path, read by prom-client's registry at scrape time like any metric. Observing is
 * a bucket search and three additions on a series found once per label set (`series()`): about 30 ns
 * measured, where prom-client's Histogram, which hashes and validates the labels on every observation
 * (its `labels()` child included), took about 2.2 us on this machine.
 */
export class HotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly all = new Map<string, { labels: Record<string, string>; counts: Float64Array; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The observe function of one label set (values in labelNames order). */
  series(...values: string[]): (value: number) => void {
    const key = values.join('\u0000');
    let s = this.all.get(key);
    if (!s) {
      const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? '']));
      this.all.set(key, (s = { labels, counts: new Float64Array(this.upperBounds.length + 1), sum: 0, count: 0 }));
    }
    const series = s;
    const bounds = this.upperBounds;
    return (value) => {
      let i = 0;
      while (i < bounds.length && value > bounds[i]!) i++;
      series.counts[i]! += 1;
      series.sum += value;
      series.count += 1;
    };
  }

  get() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const s of this.all.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...s.labels }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...s.labels }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  reset(): void {
    this.all.clear();
  }
}

/** Metrics of the domain layer: Redis commands, chat fan-out, coupon claims. */
export function createDomainMetrics(registry: Registry = new Registry()) {
  return {
    registry,
    redisSeconds: new HotHistogram(
      'stickyroom_redis_command_duration_seconds',
      'Time from issuing a Redis command to its reply, by client role and command name (blocking fetches left out)',
      ['client', 'command'],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registry,
    ),
    redisErrors: new Counter({
      name: 'stickyroom_redis_command_errors_total',
      help: 'Redis commands that failed (error reply, connection lost, offline queue gave up), by client role and command name',
      labelNames: ['client', 'command'] as const,
      registers: [registry],
    }),
    chatFrames: new Counter({
      name: 'stickyroom_chat_fanout_frames_total',
      help: "Chat frames this node broadcast to a stream's room (kind batch: one per stream per tick, or per phase of a big room's tick; message: CHAT_TICK_MS=0 or shutting down)",
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    chatBatchSize: new Histogram({
      name: 'stickyroom_chat_fanout_batch_size',
      help: 'Messages per chat frame this node broadcast',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    claims: new Counter({
      name: 'stickyroom_coupon_claims_total',
      help: 'Coupon claims answered, by outcome (code: a code handed out, or an error code such as sold_out) and whether the node answered from its latch of ended drops, without Redis (latched true)',
      labelNames: ['outcome', 'latched'] as const,
      registers: [registry],
    }),
  };
}

export type DomainMetrics = ReturnType<typeof createDomainMetrics>;

const instrumented = Symbol('stickyroom.metrics');

type TimedCommand = {
  name: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  [instrumented]?: true;
};

/**
 * Times every command of a Redis client and counts its failures, labelled by the client's role and the
 * command's name. Wraps `sendCommand`, the one door of ioredis's commands (scripts and auto-pipelined
 * commands included), and the command's own resolve/reject (no promise reaction added); a command that
 * passes the door again (resent from the offline queue) is counted once. Per command: two clock reads,
 * a map lookup and a bucket increment.
 */
export function instrumentRedis(client: RedisClient, role: string, metrics: DomainMetrics): void {
  const send = client.sendCommand.bind(client) as (command: TimedCommand, ...rest: unknown[]) => unknown;
  const timers = new Map<string, (seconds: number) => void>();
  const errors = new Map<string, { inc(): void }>();
  const timer = (name: string) => {
    let t = timers.get(name);
    if (!t) timers.set(name, (t = metrics.redisSeconds.series(role, name)));
    return t;
  };
  const failed = (name: string) => {
    let c = errors.get(name);
    if (!c) errors.set(name, (c = metrics.redisErrors.labels(role, name)));
    c.inc();
  };
  (client as unknown as { sendCommand: typeof send }).sendCommand = (command, ...rest) => {
    if (command[instrumented]) return send(command, ...rest);
    command[instrumented] = true;
    const name = command.name;
    const { resolve, reject } = command;
    if (!WAITING_COMMANDS.has(name)) {
      const started = performance.now();
      command.resolve = (value) => {
        timer(name)((performance.now() - started) / 1000);
        resolve(value);
      };
    }
    command.reject = (err) => {
      failed(name);
      reject(err);
    };
    return send(command, ...rest);
  };
}
