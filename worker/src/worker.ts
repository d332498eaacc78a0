import { Worker } from 'bullmq';
import type { Config } from '../../server/src/config.js';
import { systemClock, type AppContext, type Clock } from '../../server/src/context.js';
import { JobData, QUEUE } from '../../server/src/jobs/queues.js';
import type { Logger } from '../../server/src/logger.js';
import { createRedis } from '../../server/src/redis/client.js';
import { isRedisUnavailable, outageWarner } from '../../server/src/redis/outage.js';
import { createWorkerContext } from './context.js';
import { processors } from './processors/index.js';

export interface RunningWorker {
  ctx: AppContext;
  worker: Worker;
  /** Lets the jobs in hand finish, then closes every connection. */
  close(): Promise<void>;
}

/** Starts a BullMQ worker over the shared queue; usable in-process (tests) and from main.ts. */
export function startWorker({ config, log, clock = systemClock }: { config: Config; log: Logger; clock?: Clock }): RunningWorker {
  const { ctx, close } = createWorkerContext(config, log, clock);
  const connection = createRedis({ url: config.REDIS_URL, log, name: 'worker-consumer', blocking: true });
  const worker = new Worker(
    QUEUE,
    async (job) => {
      const data = JobData.parse(job.data);
      const run = processors[data.type] as ((c: AppContext, d: JobData) => Promise<unknown>) | undefined;
      if (!run) throw new Error(`no processor for ${data.type}`);
      return run(ctx, data);
    },
    { connection, prefix: ctx.keys.bullPrefix, concurrency: config.WORKER_CONCURRENCY },
  );
  // The periodic rollup of live streams; upserting from every worker keeps one scheduler.
  ctx.jobs.queue
    .upsertJobScheduler(
      'rollup.live',
      { every: config.ROLLUP_EVERY_SEC * 1000 },
      { name: 'rollup', data: { type: 'rollup' }, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
    )
    .catch((err: Error) => log.error({ err: err.message }, 'could not schedule the rollup'));
  worker.on('failed', (job, err) => log.error({ jobId: job?.id, err: err.message }, 'job failed'));
  // BullMQ reports every failed reconnect as an error: one warning per outage is enough.
  const outage = outageWarner(connection, log, 'the worker');
  worker.on('error', (err) => (isRedisUnavailable(err) ? outage(err) : log.warn({ err: err.message }, 'worker error')));
  return {
    ctx,
    worker,
    async close() {
      await worker.close();
      await close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
