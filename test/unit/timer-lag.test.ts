import { describe, expect, it } from 'vitest';
import { WindowMax, watchTimerLag } from '../../core/src/timer-lag.js';

/** Keeps the thread busy for `ms`: the stall the probe must see (a long poll phase, a big synchronous job). */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('timer lag', () => {
  it('reports a timer that ran late by as long as the thread was blocked', async () => {
    let resolveLate!: (ms: number) => void;
    const late = new Promise<number>((resolve) => (resolveLate = resolve));
    const seen: number[] = [];
    const probe = watchTimerLag((ms) => {
      seen.push(ms);
      if (ms >= 200) resolveLate(ms);
    }, 20);
    try {
      block(300);
      // due 20 ms into the block at the latest, it ran once the block ended
      expect(await late).toBeGreaterThanOrEqual(200);
      expect(seen.every((ms) => ms >= 0)).toBe(true);
    } finally {
      probe.stop();
    }
  });

  it('keeps the longest value for at least one window, then lets it go', () => {
    let now = 0;
    const max = new WindowMax(60, () => now);
    max.add(5);
    now = 30;
    max.add(3);
    expect(max.read()).toBe(5);
    now = 70; // the next window: the last one's longest still counts
    max.add(2);
    expect(max.read()).toBe(5);
    now = 130; // two windows on: only the last one's
    expect(max.read()).toBe(2);
    now = 400; // nothing for several windows
    expect(max.read()).toBe(0);
  });
});
