import { perContext, type AppContext } from './context.js';
import { isRedisUnavailable, outageWarner } from './redis/outage.js';

const outage = perContext((ctx) => outageWarner(ctx.redis, ctx.log, 'a step after a commit (chat hooks)'));

/**
 * Runs a step that follows a commit the caller is about to report (the chat hooks). Its failure is logged,
 * never thrown: the effect committed, so the caller is told it did (DESIGN §10) instead of `unavailable` — a
 * viewer would otherwise retry a chat message that was already sent. What the step would have added (a
 * keyword entry) is lost; a Redis outage is logged once, anything else each time. What a change implies
 * for the activity ledger is never such a step: the change's own script writes it (docs/architecture.md).
 */
export async function afterCommit(ctx: AppContext, what: string, step: () => Promise<unknown>, context: Record<string, unknown> = {}): Promise<void> {
  try {
    await step();
  } catch (err) {
    if (isRedisUnavailable(err)) outage(ctx)(err);
    else ctx.log.error({ err, ...context }, `${what} failed after its commit`);
  }
}
