import type { Job } from 'bullmq';
import type { AppContext } from '../../../core/src/context.js';
import type { JobData } from '../../../core/src/jobs/queues.js';
import { drawLotteryJob } from './lottery-draw.js';
import { quizCloseProcessor } from './quiz-close.js';
import { pollCloseProcessor } from './poll-close.js';
import { finalizeStream } from './finalize-stream.js';
import { rollup } from './rollup.js';
import { dropEnd } from './drop-end.js';
import { deliverOutboxEntry, sweepOutbox } from './outbox.js';
import { deliverWebhook } from './webhook-deliver.js';

/** `job`: BullMQ's job, for a processor that needs its attempt number (the webhook delivery). */
export type Processor<T extends JobData['type']> = (ctx: AppContext, data: Extract<JobData, { type: T }>, job?: Job) => Promise<unknown>;

/**
 * One processor per job type. BullMQ delivers at least once, so each must be idempotent: running it
 * twice (a retry, a second worker, a restart after SIGKILL) has the effect of running it once.
 */
export const processors: { [T in JobData['type']]?: Processor<T> } = {
  'lottery.draw': drawLotteryJob,
  'quiz.close': quizCloseProcessor,
  'poll.close': pollCloseProcessor,
  'stream.finalize': finalizeStream,
  rollup,
  'drop.end': dropEnd,
  'outbox.deliver': deliverOutboxEntry,
  'outbox.sweep': sweepOutbox,
  'webhook.deliver': deliverWebhook,
};
