import { describe, expect, it } from 'vitest';
import { Histogram } from '../../bench/lib/histogram.js';
import { chatText, sentAtOf } from '../../bench/fanout/protocol.js';

describe('benchmark latency histogram', () => {
  it('reports the nearest-rank quantiles of what it recorded', () => {
    const h = new Histogram(10_000);
    for (let ms = 1; ms <= 100; ms++) h.record(ms);
    expect(h.quantile(0.5)).toBe(50);
    expect(h.quantile(0.99)).toBe(99);
    expect(h.quantile(1)).toBe(100);
    expect(h.max).toBe(100);
    expect(h.mean()).toBeCloseTo(50.5);
  });

  it('gives the same quantiles after travelling between processes as sparse pairs and merging', () => {
    const a = new Histogram();
    const b = new Histogram();
    const whole = new Histogram();
    for (let i = 0; i < 1000; i++) {
      const ms = (i * 37) % 900;
      (i % 2 ? a : b).record(ms);
      whole.record(ms);
    }
    const merged = new Histogram();
    merged.merge(JSON.parse(JSON.stringify(a.toJSON())));
    merged.merge(JSON.parse(JSON.stringify(b.toJSON())));
    for (const q of [0.5, 0.9, 0.99]) expect(merged.quantile(q)).toBe(whole.quantile(q));
    expect(merged.count).toBe(1000);
  });

  it('keeps values beyond its range in the last bucket instead of dropping them', () => {
    const h = new Histogram(1000);
    h.record(5);
    h.record(250_000);
    expect(h.count).toBe(2);
    expect(h.quantile(1)).toBe(1000);
    expect(h.max).toBe(250_000);
  });

  it('is empty until something is recorded', () => {
    expect(new Histogram().quantile(0.5)).toBeNaN();
  });
});

describe('benchmark chat text', () => {
  it('carries the send time a receiver subtracts, and ignores any other text', () => {
    expect(sentAtOf(chatText(1_700_000_000_123, 4, 17))).toBe(1_700_000_000_123);
    expect(sentAtOf('hello')).toBeNaN();
    expect(sentAtOf(undefined)).toBeNaN();
  });
});
