import type { Clock } from '../../core/src/clock.js';

/** A clock the test moves by hand, so a minute of heartbeats takes no minute. Redis stays real. */
export class TestClock implements Clock {
  constructor(private t = Date.UTC(2026, 0, 5, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
}
