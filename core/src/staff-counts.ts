import { perContext, type AppContext } from './context.js';

/** At most one push per subject per interval on this node (twice a second); the latest value always goes. */
export const STAFF_COUNT_INTERVAL_MS = 500;

/**
 * Live counts for a stream's staff (answers per quiz option, lottery entrants). Each accepted answer or entry
 * asks for a push; the first goes at once, the rest of the interval's collapse into one trailing push that
 * reads the count afresh, so a burst of thousands of answers costs two pushes a second per node.
 */
class StaffCounts {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly waiting = new Map<string, () => Promise<void>>();

  constructor(private readonly ctx: AppContext) {}

  push(subject: string, send: () => Promise<void>): void {
    if (this.timers.has(subject)) {
      this.waiting.set(subject, send);
      return;
    }
    this.run(subject, send);
    const timer = setTimeout(() => {
      this.timers.delete(subject);
      const next = this.waiting.get(subject);
      this.waiting.delete(subject);
      if (next) this.push(subject, next);
    }, STAFF_COUNT_INTERVAL_MS);
    timer.unref?.();
    this.timers.set(subject, timer);
  }

  private run(subject: string, send: () => Promise<void>): void {
    send().catch((err: unknown) => this.ctx.log.warn({ err, subject }, 'staff count push failed'));
  }
}

export const staffCounts = perContext((ctx) => new StaffCounts(ctx));
