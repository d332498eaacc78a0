import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { JobData } from '../../core/src/jobs/queues.js';
import { createDomainMetrics, processMetrics } from '../../core/src/metrics.js';

/** Job names are the job types; anything else (a job added by hand) is counted as `other`. */
const JOB_NAMES: ReadonlySet<string> = new Set(JobData.options.map((o) => o.shape.type.value));
export const jobLabel = (name: string): string => (JOB_NAMES.has(name) ? name : 'other');

/** The states whose job counts the queue-depth gauge reports. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'failed', 'completed'] as const;

/** Prometheus metrics of one worker, served at its /metrics with the process's defaults (core/src/metrics.ts). */
export function createWorkerMetrics() {
  // the process's own (timer lag among them) measure from the start, not from the first scrape
  processMetrics();
  const registry = new Registry();
  const queues: Queue[] = [];
  return {
    registry,
    /** The domain's (Redis commands), given to the Redis clients and the context. */
    domain: createDomainMetrics(registry),
    jobs: new Counter({
      name: 'stickyroom_jobs_total',
      help: 'Job attempts this worker finished, by job name and outcome (completed, failed: the attempt threw; BullMQ retries it while attempts remain)',
      labelNames: ['name', 'outcome'] as const,
      registers: [registry],
    }),
    jobSeconds: new Histogram({
      name: 'stickyroom_job_duration_seconds',
      help: 'Time one job attempt ran in this worker, by job name',
      labelNames: ['name'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    stalled: new Counter({
      name: 'stickyroom_jobs_stalled_total',
      help: "Jobs this worker found stalled (their worker died or blocked its event loop past the lock) and handed out again",
      registers: [registry],
    }),
    /** Queues whose depth is read from Redis on each scrape (not polled in between). */
    queues,
    queueJobs: new Gauge({
      name: 'stickyroom_queue_jobs',
      help: 'Jobs in a BullMQ queue by state, read from Redis at scrape time (the same for every worker: aggregate with max)',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const q of queues) {
          try {
            const counts = await q.getJobCounts(...QUEUE_STATES);
            for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
          } catch {
            // Redis unreachable: no series this scrape (the scrape itself still answers)
          }
        }
      },
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
