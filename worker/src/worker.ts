import { Worker, type Job } from 'bullmq';
import type { Config } from '../../core/src/config.js';
import { systemClock, type Clock } from '../../core/src/clock.js';
import type { AppContext } from '../../core/src/context.js';
import { JobData, QUEUE, WEBHOOK_QUEUE } from '../../core/src/jobs/queues.js';
import { settlesWithin } from '../../core/src/lifecycle.js';
import type { Logger } from '../../core/src/logger.js';
import { clientName, createRedis, redisConnection } from '../../core/src/redis/client.js';
import { isRedisUnavailable, outageWarner } from '../../core/src/redis/outage.js';
import { createWorkerContext } from './context.js';
import { SWEEP_EVERY_MS } from '../../core/src/outbox/outbox.service.js';
import { processors } from './processors/index.js';
import { createWorkerMetrics, jobLabel, type WorkerMetrics } from './metrics.js';

export interface RunningWorker {
  ctx: AppContext;
  /** The BullMQ worker of the shared queue (every job but the webhook deliveries). */
  worker: Worker;
  /** The BullMQ worker of WEBHOOK_QUEUE (outbound webhook deliveries, WEBHOOK_CONCURRENCY at once). */
  webhookWorker: Worker;
  /** This worker's metrics (served by its HTTP port, worker/src/http.ts). */
  metrics: WorkerMetrics;
  /** Ready while every Redis connection is ready and the BullMQ worker runs (GET /healthz). */
  health(): { ok: boolean; worker: 'running' | 'stopped'; redis: Record<string, string> };
  /** Resolves once every Redis connection of the worker is ready and the BullMQ worker has started. */
  whenReady(): Promise<void>;
  /** Ids of the jobs this worker took and whose outcome BullMQ has not stored yet. */
  jobsInHand(): string[];
  /**
   * Stops taking jobs, lets the jobs in hand finish for up to `graceMs` (WORKER_SHUTDOWN_GRACE_MS), then
   * closes every connection. Resolves within about `graceMs` even with Redis unreachable: jobs still in hand
   * then are abandoned, with a warning naming them.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Of the grace period, this much (at most) is kept for closing connections after the jobs. */
const CLOSE_RESERVE_MS = 2000;

/** Jobs in hand, from BullMQ handing one out (`active`) to BullMQ storing its outcome (`completed` / `failed`). */
class JobsInHand {
  private readonly ids = new Set<string>();
  private waiters: (() => void)[] = [];
  add(id: string): void {
    this.ids.add(id);
  }
  remove(id: string | undefined): void {
    if (id === undefined || !this.ids.delete(id) || this.ids.size > 0) return;
    for (const w of this.waiters.splice(0)) w();
  }
  list(): string[] {
    return [...this.ids];
  }
  whenNone(): Promise<void> {
    return this.ids.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Starts BullMQ workers over the shared queue and the webhook queue (one process, one context); usable
 * in-process (tests) and from main.ts.
 */
export function startWorker({ config, log, clock = systemClock }: { config: Config; log: Logger; clock?: Clock }): RunningWorker {
  const metrics = createWorkerMetrics();
  const context = createWorkerContext(config, log, clock, metrics.domain);
  const { ctx } = context;
  metrics.queues.push(ctx.jobs.queue, ctx.jobs.webhookQueue);
  const connection = createRedis({ ...redisConnection(config), log, name: 'worker-consumer', blocking: true, metrics: metrics.domain });
  const webhookConnection = createRedis({ ...redisConnection(config), log, name: 'worker-webhooks', blocking: true, metrics: metrics.domain });
  const connections = [connection, webhookConnection];
  const inHand = new JobsInHand();
  let closing = false;
  const processJob = async (job: Job) => {
    const name = jobLabel(job.name);
    const started = performance.now();
    try {
      const data = JobData.parse(job.data);
      const run = processors[data.type] as ((c: AppContext, d: JobData, j: typeof job) => Promise<unknown>) | undefined;
      if (!run) throw new Error(`no processor for ${data.type}`);
      const out = await run(ctx, data, job);
      metrics.jobs.inc({ name, outcome: 'completed' });
      return out;
    } catch (err) {
      metrics.jobs.inc({ name, outcome: 'failed' });
      throw err;
    } finally {
      metrics.jobSeconds.observe({ name }, (performance.now() - started) / 1000);
    }
  };
  const worker = new Worker(QUEUE, processJob, { connection, prefix: ctx.keys.bullPrefix, concurrency: config.WORKER_CONCURRENCY });
  const webhookWorker = new Worker(WEBHOOK_QUEUE, processJob, {
    connection: webhookConnection,
    prefix: ctx.keys.bullPrefix,
    concurrency: config.WEBHOOK_CONCURRENCY,
  });
  const workers = [worker, webhookWorker];
  // The periodic rollup of live streams; upserting from every worker keeps one scheduler.
  ctx.jobs.queue
    .upsertJobScheduler(
      'rollup.live',
      { every: config.ROLLUP_EVERY_SEC * 1000 },
      { name: 'rollup', data: { type: 'rollup' }, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    )
    .catch((err: Error) => log.error({ err: err.message }, 'could not schedule the rollup'));
  // The outbox sweep: delivers announcements a crash left between their commit and their delivery.
  ctx.jobs.queue
    .upsertJobScheduler(
      'outbox.sweep',
      { every: SWEEP_EVERY_MS },
      { name: 'outbox.sweep', data: { type: 'outbox.sweep' }, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    )
    .catch((err: Error) => log.error({ err: err.message }, 'could not schedule the outbox sweep'));
  for (const w of workers) {
    w.on('active', (job) => {
      if (job.id !== undefined) inHand.add(job.id);
      log.debug({ jobId: job.id, name: job.name }, 'job started');
    });
    w.on('completed', (job) => inHand.remove(job.id));
    w.on('failed', (job, err) => {
      inHand.remove(job?.id);
      // a webhook receiver that is down is the receiver's failure, not ours: its retries are warnings
      if (job?.name === 'webhook.deliver') log.warn({ jobId: job.id, attemptsMade: job.attemptsMade, err: err.message }, 'webhook attempt failed');
      else log.error({ jobId: job?.id, err: err.message }, 'job failed');
    });
    w.on('stalled', () => metrics.stalled.inc());
  }
  // BullMQ reports every failed reconnect as an error: one warning per outage is enough.
  const outage = outageWarner(connection, log, 'the worker');
  for (const w of workers) w.on('error', (err) => (isRedisUnavailable(err) ? outage(err) : log.warn({ err: err.message, queue: w.name }, 'worker error')));

  return {
    ctx,
    worker,
    webhookWorker,
    metrics,
    health() {
      const redis = Object.fromEntries([...connections, ...context.clients].map((r) => [clientName(r) ?? 'redis', r.status]));
      const running = !closing && workers.every((w) => w.isRunning() && !w.isPaused());
      return { ok: running && Object.values(redis).every((s) => s === 'ready'), worker: running ? 'running' : 'stopped', redis };
    },
    async whenReady() {
      await Promise.all(
        [...connections, ...context.clients].map((r) =>
          r.status === 'ready' ? undefined : new Promise<void>((resolve) => r.once('ready', () => resolve())),
        ),
      );
      await Promise.all(workers.map((w) => w.waitUntilReady()));
    },
    jobsInHand: () => inHand.list(),
    async close({ graceMs = config.WORKER_SHUTDOWN_GRACE_MS } = {}) {
      closing = true;
      const started = performance.now();
      const left = () => Math.max(0, graceMs - (performance.now() - started));
      const reserve = Math.min(CLOSE_RESERVE_MS, graceMs / 4);
      // Take no more jobs; those in hand go on (pausing touches no Redis).
      await settlesWithin(Promise.all(workers.map((w) => w.pause(true))), left() - reserve);
      if (!(await settlesWithin(inHand.whenNone(), left() - reserve))) {
        log.warn(
          { abandoned: inHand.list(), graceMs, redis: connection.status },
          "stopping with jobs in hand (Redis unreachable, or they ran past the grace period): abandoning them; BullMQ's stalled-job check hands each to a worker again once its lock lapses",
        );
      }
      // Force: do not wait for jobs again (an abandoned one may never end). With Redis unreachable a polite
      // QUIT would wait for a reconnect that may not come, so whatever is still open at the deadline is cut.
      const orderly = (async () => {
        await Promise.all(workers.map((w) => w.close(true)));
        await context.close();
        await Promise.all(connections.map((c) => c.quit()));
      })();
      orderly.catch((err: unknown) => log.warn({ err: (err as Error)?.message }, 'worker close step failed'));
      if (!(await settlesWithin(orderly, left()))) log.warn({ graceMs }, 'Redis did not answer while closing: closing the connections without waiting');
      for (const r of [...connections, ...context.clients]) if (r.status !== 'end') r.disconnect();
    },
  };
}
