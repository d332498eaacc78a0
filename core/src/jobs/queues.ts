import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '../redis/client.js';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { isRedisUnavailable, outageWarner } from '../redis/outage.js';
import type { SimulationClock } from '../simulation-clock.js';

/**
 * Queue names and job payloads shared by the server (which schedules) and the worker (which runs).
 * Job ids are deterministic so a job scheduled twice (two nodes, a retry) exists once.
 */
export const QUEUE = 'stickyroom';
/**
 * Outbound webhook deliveries have a queue (and workers) of their own: a slow or dead receiver holds a
 * delivery for up to WEBHOOK_TIMEOUT_MS per attempt, and a burst of them must never make a quiz close or a
 * lottery draw wait behind it.
 */
export const WEBHOOK_QUEUE = 'stickyroom-webhooks';

/** The queue a job goes to. */
export const queueOf = (data: JobData): string => (data.type === 'webhook.deliver' ? WEBHOOK_QUEUE : QUEUE);

export const JobData = z.discriminatedUnion('type', [
  z.object({ type: z.literal('quiz.close'), quizId: z.string(), streamId: z.string() }),
  z.object({ type: z.literal('poll.close'), pollId: z.string(), streamId: z.string() }),
  z.object({ type: z.literal('lottery.draw'), lotteryId: z.string(), streamId: z.string() }),
  z.object({ type: z.literal('drop.end'), dropId: z.string(), streamId: z.string() }),
  z.object({ type: z.literal('stream.finalize'), streamId: z.string() }),
  z.object({ type: z.literal('rollup'), streamId: z.string().optional() }),
  /** Delivers one outbox entry (the committing request's retry); the periodic sweep delivers whatever is left. */
  z.object({ type: z.literal('outbox.deliver'), streamId: z.string(), entryId: z.string() }),
  z.object({ type: z.literal('outbox.sweep') }),
  /** Sends one outbound webhook delivery (core/src/webhooks); `redelivery` n > 0 is the n-th redeliver call's job. */
  z.object({ type: z.literal('webhook.deliver'), brandId: z.string(), deliveryId: z.string(), redelivery: z.number().int().min(0).optional() }),
  /** Drops the raw per-viewer events of streams ended more than RETENTION_DAYS ago (core/src/exports/retention.ts). */
  z.object({ type: z.literal('retention') }),
]);
export type JobData = z.infer<typeof JobData>;

export function jobId(data: JobData): string {
  switch (data.type) {
    case 'quiz.close':
      return `quiz.close-${data.quizId}`;
    case 'poll.close':
      return `poll.close-${data.pollId}`;
    case 'lottery.draw':
      return `lottery.draw-${data.lotteryId}`;
    case 'drop.end':
      return `drop.end-${data.dropId}`;
    case 'stream.finalize':
      return `stream.finalize-${data.streamId}`;
    case 'rollup':
      // One end-of-stream rollup per stream; the periodic ones come from the job scheduler (its own ids).
      return data.streamId ? `rollup.end-${data.streamId}` : 'rollup.live';
    case 'outbox.deliver':
      return `outbox-${data.entryId}`;
    case 'outbox.sweep':
      return 'outbox.sweep';
    case 'webhook.deliver':
      return data.redelivery ? `webhook-${data.deliveryId}-r${data.redelivery}` : `webhook-${data.deliveryId}`;
    case 'retention':
      return 'retention';
  }
}

export interface Jobs {
  readonly queue: Queue;
  /** WEBHOOK_QUEUE: the `webhook.deliver` jobs. */
  readonly webhookQueue: Queue;
  /**
   * Schedules `data` to run at `atMs` (now if in the past); idempotent per job id. `retry`: its own
   * attempts and exponential backoff base (outbound webhooks), else 10 attempts from 500 ms.
   */
  at(data: JobData, atMs: number, nowMs: number, retry?: { attempts: number; backoffMs: number }): Promise<void>;
  close(): Promise<void>;
}

/**
 * The queue of a process. Under SIMULATION_CLOCK (`simulation` given), a job due later is held by the
 * simulation clock and added, with no delay, when the simulator moves the clock to its time: BullMQ's
 * delays are real milliseconds, which a simulated week would otherwise turn into a real one.
 */
export function createJobs(connection: RedisClient, prefix: string, log: Logger, simulation?: SimulationClock): Jobs {
  const queue = new Queue(QUEUE, { connection, prefix });
  const webhookQueue = new Queue(WEBHOOK_QUEUE, { connection, prefix });
  // A Queue with no 'error' listener prints its connection's errors to stderr; the outage is logged once.
  const outage = outageWarner(connection, log, 'the job queue');
  for (const q of [queue, webhookQueue]) q.on('error', (err) => (isRedisUnavailable(err) ? outage(err) : log.warn({ err, queue: q.name }, 'job queue error')));
  return {
    queue,
    webhookQueue,
    async at(data, atMs, nowMs, retry) {
      if (simulation && atMs > nowMs) {
        simulation.at(jobId(data), atMs, () => this.at(data, atMs, atMs, retry));
        return;
      }
      const opts: JobsOptions = {
        jobId: jobId(data),
        delay: Math.max(0, atMs - nowMs),
        attempts: retry?.attempts ?? 10,
        backoff: { type: 'exponential', delay: retry?.backoffMs ?? 500 },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      };
      await (queueOf(data) === WEBHOOK_QUEUE ? webhookQueue : queue).add(data.type, data, opts);
    },
    // Closing while the queue is still connecting leaves BullMQ a command on a closed connection.
    close: async () => {
      await Promise.all(
        [queue, webhookQueue].map(async (q) => {
          await q.waitUntilReady().catch(() => undefined);
          await q.close();
        }),
      );
    },
  };
}
