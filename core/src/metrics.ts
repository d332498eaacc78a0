import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Redis } from 'ioredis';

/**
 * Prometheus metrics shared by the server nodes and the worker. Every name starts with `stickyroom_`;
 * labels take values from small fixed sets (command names, client roles, outcome codes), never an id.
 *
 * Each process serves two registries at /metrics: the process's own (prom-client's defaults: CPU, memory,
 * GC, event-loop lag), made once however many apps the process runs (tests run several), and the app's.
 */
export const METRIC_PREFIX = 'stickyroom_';

let processRegistry: Registry | undefined;

/** prom-client's default metrics of this process (event-loop lag among them), collected once per process. */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: METRIC_PREFIX });
  }
  return processRegistry;
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

/** Metrics of the domain layer: Redis commands, chat fan-out, coupon claims. */
export function createDomainMetrics(registry: Registry = new Registry()) {
  return {
    registry,
    redisSeconds: new Histogram({
      name: 'stickyroom_redis_command_duration_seconds',
      help: 'Time from issuing a Redis command to its reply, by client role and command name (blocking fetches left out)',
      labelNames: ['client', 'command'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    redisErrors: new Counter({
      name: 'stickyroom_redis_command_errors_total',
      help: 'Redis commands that failed (error reply, connection lost, offline queue gave up), by client role and command name',
      labelNames: ['client', 'command'] as const,
      registers: [registry],
    }),
    chatFrames: new Counter({
      name: 'stickyroom_chat_fanout_frames_total',
      help: "Chat frames this node broadcast to a stream's room (kind batch: one per stream per tick; message: CHAT_TICK_MS=0 or shutting down)",
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
      help: 'Coupon claims answered, by outcome (code: a code handed out, or an error code such as sold_out)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type DomainMetrics = ReturnType<typeof createDomainMetrics>;

const instrumented = Symbol('stickyroom.metrics');

/**
 * Times every command of a Redis client and counts its failures, labelled by the client's role and the
 * command's name. Wraps `sendCommand`, the one door of ioredis's commands (scripts and auto-pipelined
 * commands included); a command that passes it again (resent from the offline queue) is counted once.
 * The cost is two clock reads and one histogram update per command, label children cached per name.
 */
export function instrumentRedis(client: Redis, role: string, metrics: DomainMetrics): void {
  type Cmd = { name: string; promise: Promise<unknown>; [instrumented]?: true };
  const send = client.sendCommand.bind(client) as (command: Cmd, ...rest: unknown[]) => Promise<unknown>;
  const timers = new Map<string, { observe(v: number): void }>();
  const errors = new Map<string, { inc(): void }>();
  const timer = (name: string) => {
    let t = timers.get(name);
    if (!t) timers.set(name, (t = metrics.redisSeconds.labels(role, name)));
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
    const started = WAITING_COMMANDS.has(name) ? undefined : performance.now();
    command.promise.then(
      () => {
        if (started !== undefined) timer(name).observe((performance.now() - started) / 1000);
      },
      () => failed(name),
    );
    return send(command, ...rest);
  };
}
