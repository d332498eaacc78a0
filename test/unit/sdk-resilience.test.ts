import { describe, expect, it } from 'vitest';
import { backoffDelay, drainDelay } from '../../client-sdk/src/backoff.js';
import { ChatCursor } from '../../client-sdk/src/chat-cursor.js';
import { refreshLeadMs, tokenTimes } from '../../client-sdk/src/token-expiry.js';

/** A seeded generator (mulberry32), so the jitter is random yet the test repeatable. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('reconnect backoff', () => {
  it('waits between 0.5 s and a ceiling that doubles up to 20 s, spread at random', () => {
    const random = seeded(42);
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(20_000, 500 * 2 ** attempt);
      const delays = Array.from({ length: 200 }, () => backoffDelay(attempt, {}, random));
      for (const d of delays) {
        expect(d).toBeGreaterThanOrEqual(500);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
      // jitter: clients that lost the same node do not come back in lockstep
      if (attempt > 0) expect(new Set(delays).size).toBeGreaterThan(100);
    }
  });

  it('reaches the cap for late attempts and takes other bounds', () => {
    expect(backoffDelay(50, {}, () => 1)).toBe(20_000);
    expect(backoffDelay(50, {}, () => 0)).toBe(500);
    expect(backoffDelay(3, { minDelayMs: 10, maxDelayMs: 40 }, () => 1)).toBe(40);
    expect(backoffDelay(-1, {}, () => 1)).toBe(500);
  });
});

describe('chat cursor', () => {
  it('resumes after the highest id received in order, not after one that overtook a missing one', () => {
    const c = new ChatCursor();
    c.settle('3');
    expect(c.receive(['5', '6'])).toBe(true); // 4 is late (another node) or lost
    expect(c.resumeAfter).toBe('3');
    expect(c.receive(['4'])).toBe(false);
    expect(c.resumeAfter).toBe('6');
  });

  it('settles a hole a fetch answered (a deleted message never arrives)', () => {
    const c = new ChatCursor();
    c.settle('1');
    c.receive(['3']);
    expect(c.hasHole).toBe(true);
    expect(c.highest).toBe(3);
    c.settle('3');
    expect(c.hasHole).toBe(false);
    expect(c.resumeAfter).toBe('3');
  });

  it('ignores ids that are not of the sequence', () => {
    const c = new ChatCursor();
    expect(c.receive(['x', '0', '-1', '1e3', '01'])).toBe(false);
    expect(c.resumeAfter).toBeUndefined();
  });
});

describe('token expiry', () => {
  const jwt = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;

  it('reads exp and iat without verifying', () => {
    expect(tokenTimes(jwt({ exp: 100, iat: 40 }))).toEqual({ expiresAt: 100_000, issuedAt: 40_000 });
    expect(tokenTimes(jwt({ iat: 40 }))).toBeUndefined();
    expect(tokenTimes('garbage')).toBeUndefined();
    expect(tokenTimes('a.%%%.b')).toBeUndefined();
  });

  it('refreshes 60 s ahead, or a quarter of a short lifetime', () => {
    expect(refreshLeadMs(3_600_000, 0)).toBe(60_000);
    expect(refreshLeadMs(3_000, 0)).toBe(750);
  });
});

describe('reconnect after a node drains', () => {
  it('waits a uniform point of the drain window (0.5 s to 0.5 s + drainSpreadMs), not the first backoff step', () => {
    const random = seeded(7);
    const delays = Array.from({ length: 400 }, () => drainDelay({ drainSpreadMs: 4000 }, random));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(4500);
    }
    // spread over the window: every quarter of it gets a fair share of the clients
    for (let q = 0; q < 4; q++) {
      const inQuarter = delays.filter((d) => d >= 500 + q * 1000 && d < 500 + (q + 1) * 1000).length;
      expect(inQuarter).toBeGreaterThan(60);
    }
    expect(drainDelay({}, () => 1)).toBe(5500);
    expect(drainDelay({ minDelayMs: 100, drainSpreadMs: 0 }, () => 1)).toBe(100);
  });
});
