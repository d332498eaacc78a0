import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CLAIM_RELEASE_SLICE, ClaimWindow } from '../../core/src/coupons/coupons.latch.js';

/** `n` claims entering `w`; each records its index in `went` when it may go. */
function enterMany(w: ClaimWindow, n: number, went: number[]): void {
  for (let i = 0; i < n; i++) {
    const wait = w.enter();
    if (wait) void wait.then(() => went.push(i));
    else went.push(i);
  }
}

describe('a drop\'s claim window', () => {
  it('lets a sold-out burst\'s waiting claims go a slice per turn of the event loop, in their order', async () => {
    const w = new ClaimWindow(0);
    w.lower(10);
    const went: number[] = [];
    const waiting = 3 * CLAIM_RELEASE_SLICE + 5;
    enterMany(w, 10 + waiting, went);
    expect(went).toHaveLength(10);
    w.end(); // the latch learnt the sell-out
    await Promise.resolve();
    expect(went).toHaveLength(10 + CLAIM_RELEASE_SLICE);
    await turn();
    expect(went).toHaveLength(10 + 2 * CLAIM_RELEASE_SLICE);
    await turn();
    await turn();
    expect(went).toEqual(Array.from({ length: 10 + waiting }, (_, i) => i));
  });

  it('lets a claim that enters while others still wait their slice go after them', async () => {
    const w = new ClaimWindow(0);
    w.lower(1);
    const went: number[] = [];
    enterMany(w, 1 + 2 * CLAIM_RELEASE_SLICE, went);
    w.end();
    const late = w.enter();
    expect(late).toBeInstanceOf(Promise);
    let lateWent = -1;
    void late!.then(() => (lateWent = went.length));
    while (lateWent < 0) await turn();
    expect(lateWent).toBe(1 + 2 * CLAIM_RELEASE_SLICE);
  });

  it('still lets every waiting claim go when one fails without an answer (Redis away)', async () => {
    const w = new ClaimWindow(0);
    w.lower(1);
    const went: number[] = [];
    enterMany(w, 1 + CLAIM_RELEASE_SLICE + 1, went);
    expect(went).toEqual([0]);
    w.leave(undefined, true);
    await turn();
    await turn();
    expect(went).toHaveLength(2 + CLAIM_RELEASE_SLICE);
  });
});
