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
