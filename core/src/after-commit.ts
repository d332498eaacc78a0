import { perContext, type AppContext } from './context.js';
import { isRedisUnavailable, outageWarner } from './redis/outage.js';

const outage = perContext((ctx) => outageWarner(ctx.redis, ctx.log, 'a step after a commit (activity records, hooks)'));

/**
 * Runs a step that follows a commit the caller is about to report (the activity record of an issued coupon
 * or an accepted chat message, the chat hooks). Its failure is logged, never thrown: the effect committed,
 * so the caller is told it did (DESIGN §10) instead of `unavailable` — a viewer would otherwise retry a chat
 * message that was already sent, or be told a claim failed when it holds a code. What the step would have
 * added (a scoring input, a keyword entry) is lost; a Redis outage is logged once, anything else each time.
 */
export async function afterCommit(ctx: AppContext, what: string, step: () => Promise<unknown>, context: Record<string, unknown> = {}): Promise<void> {
  try {
    await step();
  } catch (err) {
    if (isRedisUnavailable(err)) outage(ctx)(err);
    else ctx.log.error({ err, ...context }, `${what} failed after its commit`);
  }
}
