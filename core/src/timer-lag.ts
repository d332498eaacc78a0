/**
 * How late a JavaScript timer runs in this process: an interval due every `everyMs` reports, each time it
 * runs, how long after its due time that was.
 *
 * Why a timer of our own, beside prom-client's event-loop lag: the chat's steps and a big room's delivery
 * chunks run on JavaScript timers, so their wait is what viewers see. In the room benchmark's claim burst a
 * JavaScript timer waited 0.9-1.3 s while `monitorEventLoopDelay`, which prom-client's lag percentiles read,
 * reported 0.17-0.35 s at most for the same seconds (docs/benchmarks-history.md, issue 11).
 */
export function watchTimerLag(observe: (lateMs: number) => void, everyMs = 100): { stop(): void } {
  let due = performance.now() + everyMs;
  const timer = setInterval(() => {
    const now = performance.now();
    observe(Math.max(0, now - due));
    due = now + everyMs;
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * The longest of the values seen in the current window and the one before it: a reading covers at least
 * `windowMs` whenever it is taken, and no reader resets it (several scrapers see the same figure).
 */
export class WindowMax {
  private current = 0;
  private previous = 0;
  private windowStart: number;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.windowStart = now();
  }

  add(value: number): void {
    this.roll();
    if (value > this.current) this.current = value;
  }

  read(): number {
    this.roll();
    return Math.max(this.current, this.previous);
  }

  private roll(): void {
    const now = this.now();
    if (now - this.windowStart < this.windowMs) return;
    // a window with nothing in it since the last roll leaves no old value behind
    this.previous = now - this.windowStart < 2 * this.windowMs ? this.current : 0;
    this.current = 0;
    this.windowStart = now;
  }
}
