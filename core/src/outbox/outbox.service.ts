import { perContext, type AppContext } from '../context.js';
import { deliverLotteryDrawn } from '../lottery/lottery.announce.js';
import { deliverQuizResult } from '../quiz/quiz.close.js';
import { deliverPollClosed } from '../polls/polls.service.js';
import { deliverQuestionReward } from '../qa/qa.service.js';
import { deliverStreamEnded } from '../streams/streams.service.js';
import { OutboxEntry, outboxEntryId } from './outbox.entry.js';
import { OutboxStore } from './outbox.store.js';

export const outboxStore = perContext((ctx) => new OutboxStore(ctx.redis, ctx.keys));

/** The sweep looks at streams that had an entry written in this window. */
export const SWEEP_WINDOW_MS = 24 * 3600 * 1000;
/** How often the worker sweeps (a job scheduler, like the rollup's). */
export const SWEEP_EVERY_MS = 5000;

type Deliverers = { [K in OutboxEntry['kind']]: (ctx: AppContext, streamId: string, entryId: string, entry: Extract<OutboxEntry, { kind: K }>) => Promise<void> };

/** What announcing each kind of entry means; each is safe to run again after a crash at any point. */
const deliverers: Deliverers = {
  'lottery.drawn': deliverLotteryDrawn,
  'quiz.result': deliverQuizResult,
  'poll.closed': deliverPollClosed,
  'question.reward': deliverQuestionReward,
  'stream.ended': (ctx, streamId) => deliverStreamEnded(ctx, streamId),
};

export { outboxEntryId };

/**
 * Delivers one outbox entry (at least once): one deliverer at a time (a lease), the entry's effects and
 * pushes, then the entry is removed. 'busy' when another caller is delivering it, 'done' when it is gone.
 * Throws when delivery failed; the entry stays for the next attempt (job retry or sweep).
 */
export async function deliverEntry(ctx: AppContext, streamId: string, entryId: string): Promise<'delivered' | 'busy' | 'done'> {
  const store = outboxStore(ctx);
  // how long one deliverer holds the entry without finishing; a deliverer that died is replaced after it
  const lease = await store.lease(streamId, entryId, ctx.config.DELIVERY_LEASE_MS);
  if (!lease) return 'busy';
  try {
    const raw = await store.rawEntry(streamId, entryId);
    if (raw === null) return 'done';
    const parsed = OutboxEntry.safeParse(safeJson(raw));
    if (!parsed.success) {
      ctx.log.error({ streamId, entryId }, 'dropping an unreadable outbox entry');
    } else {
      await (deliverers[parsed.data.kind] as (c: AppContext, s: string, id: string, e: OutboxEntry) => Promise<void>)(ctx, streamId, entryId, parsed.data);
    }
    await store.done(streamId, entryId);
    return 'delivered';
  } finally {
    await lease.release();
  }
}

/**
 * The committing request's fast path: deliver now, from this process. If that fails, a job retries it
 * (and if even scheduling fails, or this process dies first, the sweep finds the entry).
 */
export async function announce(ctx: AppContext, streamId: string, entryId: string): Promise<void> {
  try {
    await deliverEntry(ctx, streamId, entryId);
  } catch (err) {
    ctx.log.warn({ err, streamId, entryId }, 'announcement not delivered yet; a job retries it');
    const now = ctx.clock.now();
    await ctx.jobs
      .at({ type: 'outbox.deliver', streamId, entryId }, now, now)
      .catch((e: unknown) => ctx.log.warn({ err: e, streamId, entryId }, 'delivery job not queued; the outbox sweep delivers it'));
  }
}

/** Delivers every entry left in the outboxes of recently active streams (what a crash left behind). */
export async function sweepOutboxes(ctx: AppContext): Promise<{ streams: number; delivered: number; failed: number }> {
  const store = outboxStore(ctx);
  const streams = await store.streams(ctx.clock.now() - SWEEP_WINDOW_MS);
  let delivered = 0;
  let failed = 0;
  for (const streamId of streams) {
    for (const entryId of await store.entryIds(streamId)) {
      try {
        if ((await deliverEntry(ctx, streamId, entryId)) === 'delivered') delivered++;
      } catch (err) {
        failed++;
        ctx.log.error({ err, streamId, entryId }, 'outbox entry not delivered; the next sweep retries');
      }
    }
  }
  if (delivered || failed) ctx.log.info({ delivered, failed }, 'outbox sweep');
  return { streams: streams.length, delivered, failed };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
