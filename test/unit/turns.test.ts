import { describe, expect, it } from 'vitest';
import { Turns } from '../../server/src/io/turns.js';

/** A task whose turn lasts until the test ends it. */
function task(log: string[], name: string) {
  let end!: () => void;
  const run = (done: () => void) => {
    log.push(`start ${name}`);
    end = done;
  };
  return { run, end: () => end() };
}

describe('turns', () => {
  it('runs at most its limit at once and the rest in arrival order', () => {
    const log: string[] = [];
    const turns = new Turns(2);
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((n) => task(log, n));
    for (const t of tasks) turns.run(t.run);
    expect(log).toEqual(['start a', 'start b']);
    expect(turns.waiting).toBe(3);
    tasks[1]!.end();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    tasks[0]!.end();
    tasks[2]!.end();
    expect(log).toEqual(['start a', 'start b', 'start c', 'start d', 'start e']);
    expect(turns.waiting).toBe(0);
  });

  it('lets tasks that end at once (their sockets gone) pass, however many wait together', () => {
    const turns = new Turns(1);
    const first = task([], 'first');
    turns.run(first.run);
    let skipped = 0;
    for (let i = 0; i < 200_000; i++)
      turns.run((done) => {
        skipped++;
        done();
      });
    const last: string[] = [];
    turns.run(task(last, 'last').run);
    expect(skipped).toBe(0);
    first.end();
    expect(skipped).toBe(200_000);
    expect(last).toEqual(['start last']);
  });

  it('refuses a limit that lets nothing run', () => {
    expect(() => new Turns(0)).toThrow(/at least 1/);
    expect(() => new Turns(1.5)).toThrow(/whole number/);
  });
});
