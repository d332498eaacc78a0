import { describe, expect, it } from 'vitest';
import { STOCK_PUSH_INTERVAL_MS } from '@stickyroom/sdk/protocol';
import { STOCK_INTERVAL_MAX_MS, stockInterval } from '../../core/src/coupons/coupons.stock.js';

describe('the stock push interval', () => {
  it('is 4 a second up to 1,000 sockets on the node, one step longer per further 1,000, at most a second', () => {
    expect([0, 1, 1000].map(stockInterval)).toEqual([STOCK_PUSH_INTERVAL_MS, STOCK_PUSH_INTERVAL_MS, STOCK_PUSH_INTERVAL_MS]);
    expect(stockInterval(1001)).toBe(2 * STOCK_PUSH_INTERVAL_MS);
    expect(stockInterval(3000)).toBe(3 * STOCK_PUSH_INTERVAL_MS);
    expect(stockInterval(5000)).toBe(STOCK_INTERVAL_MAX_MS);
    expect(stockInterval(100_000)).toBe(STOCK_INTERVAL_MAX_MS);
  });
});

describe('the reaction totals push interval', () => {
  it('is REACTION_FLUSH_MS up to 2,000 sockets on the node, one step longer per further 2,000, at most 2 s', async () => {
    const { reactionPushInterval } = await import('../../core/src/reactions/reactions.service.js');
    expect([0, 2000].map((n) => reactionPushInterval(500, n))).toEqual([500, 500]);
    expect(reactionPushInterval(500, 2001)).toBe(1000);
    expect(reactionPushInterval(500, 10_000)).toBe(2000);
    // a flush interval set longer than the cap is kept
    expect(reactionPushInterval(3000, 50_000)).toBe(3000);
  });
});
