import { describe, expect, it } from 'vitest';
import { readLedger } from '../../core/src/points/points.economy.js';
import { brandOfReward } from '../../core/src/points/points.rewards.js';

const DAY = 86_400_000;
const d0 = 20_000; // a UTC day number

describe('the points ledger', () => {
  const ledger = {
    [`i:${d0}`]: 100,
    [`r:${d0}`]: 30,
    [`n:${d0}`]: 2,
    [`i:${d0 + 1}`]: 40,
    [`x:${d0}`]: 5, // a lot that ended on d0 with 5 points left: expired
    [`x:${d0 + 2}`]: 25, // ends on the day `now` is in: still held
    [`x:${d0 + 30}`]: 80,
  };

  it('gives one row per UTC day overlapping the period, expiry only for days that are over', () => {
    const now = (d0 + 2) * DAY + 3600_000;
    const out = readLedger(ledger, d0 * DAY + 5, (d0 + 3) * DAY, now);
    expect(out.days).toEqual([
      { day: new Date(d0 * DAY).toISOString().slice(0, 10), issued: 100, redeemed: 30, expired: 5 },
      { day: new Date((d0 + 1) * DAY).toISOString().slice(0, 10), issued: 40, redeemed: 0, expired: 0 },
      { day: new Date((d0 + 2) * DAY).toISOString().slice(0, 10), issued: 0, redeemed: 0, expired: 0 },
    ]);
    expect(out.totals).toEqual({ issued: 140, redeemed: 30, expired: 5, redemptions: 2 });
    expect(out.outstanding).toBe(105);
  });

  it('counts a lot as expired once its day is over, and no longer as outstanding', () => {
    const out = readLedger(ledger, d0 * DAY, (d0 + 40) * DAY, (d0 + 3) * DAY);
    expect(out.totals.expired).toBe(30);
    expect(out.outstanding).toBe(80);
    expect(out.days).toHaveLength(40);
  });
});

describe('reward ids', () => {
  it('name their brand before the last dot', () => {
    expect(brandOfReward('brand.with.dots.AbC_-9')).toBe('brand.with.dots');
    expect(() => brandOfReward('nodot')).toThrow('no such reward');
    expect(() => brandOfReward('brand.')).toThrow('no such reward');
  });
});
