import { describe, expect, it } from 'vitest';
import { SimulationClock } from '../../core/src/simulation-clock.js';
import { Rng } from '../../scripts/simulate/rng.js';

describe('the simulation clock', () => {
  it('runs the timers due on the way in time order, each at its own time and settled before the next', async () => {
    const clock = new SimulationClock(1000);
    const seen: string[] = [];
    clock.at('b', 3000, async () => void seen.push(`b@${clock.now()}`));
    clock.at('a', 2000, async () => void seen.push(`a@${clock.now()}`));
    clock.at('a', 2500, async () => void seen.push('a again'));
    clock.at('late', 9000, async () => void seen.push('late'));
    await clock.advanceTo(5000, async () => void seen.push(`settled@${clock.now()}`));
    expect(seen).toEqual(['a@2000', 'settled@2000', 'b@3000', 'settled@3000']);
    expect(clock.now()).toBe(5000);
    expect(clock.pending).toBe(1);
    await clock.advanceTo(4000);
    expect(clock.now()).toBe(5000);
  });
});

describe("the simulator's generator", () => {
  it('gives the same draws for the same seed, and other draws for another', () => {
    const draws = (seed: number) => {
      const r = new Rng(seed);
      return [r.next(), r.int(1, 6), r.pick(['x', 'y', 'z']), ...r.shuffle([1, 2, 3, 4]), r.fork(2).next()];
    };
    expect(draws(1)).toEqual(draws(1));
    expect(draws(1)).not.toEqual(draws(2));
    const r = new Rng(5);
    for (let i = 0; i < 1000; i++) expect(r.int(3, 4)).toBeGreaterThanOrEqual(3);
  });
});
