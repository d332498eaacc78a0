import type { Clock } from './clock.js';

/**
 * The clock of `npm run simulate` (SIMULATION_CLOCK=1): it stands still until the simulator moves it, so a
 * week between two streams takes no week and the same seed gives the same history. What a process would
 * have waited for in real time (a job delayed until a quiz, lottery or drop closes) is held here instead and
 * released when the clock reaches it, in time order, each one settled before the clock moves on.
 */
export class SimulationClock implements Clock {
  private readonly timers = new Map<string, { at: number; seq: number; run: () => Promise<void> }>();
  private seq = 0;

  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  /** Runs `run` once the clock reaches `atMs`; a second timer of the same `id` is the first one (a job id). */
  at(id: string, atMs: number, run: () => Promise<void>): void {
    if (!this.timers.has(id)) this.timers.set(id, { at: atMs, seq: this.seq++, run });
  }

  /** Timers not yet due. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves the clock to `t` (never back), stopping at each timer due on the way: the clock is set to the
   * timer's time, the timer runs, and `settle` (the simulator waiting for the work it started) is awaited.
   */
  async advanceTo(t: number, settle: () => Promise<void> = async () => undefined): Promise<void> {
    for (;;) {
      let next: [string, { at: number; seq: number; run: () => Promise<void> }] | undefined;
      for (const e of this.timers) if (e[1].at <= t && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq))) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      await next[1].run();
      await settle();
    }
    this.t = Math.max(this.t, t);
  }

  advance(ms: number, settle?: () => Promise<void>): Promise<void> {
    return this.advanceTo(this.t + ms, settle);
  }
}
