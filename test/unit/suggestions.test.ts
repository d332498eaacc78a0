import { describe, expect, it } from 'vitest';
import { rankProducts, segmentSkew } from '../../core/src/suggestions/suggestions.compute.js';

const ev = (productId: string, clicked: string[], bought: string[] = []) => ({ productId, title: productId, product: { id: productId, title: productId, price: 1, currency: 'EUR' }, clickedBy: new Set(clicked), boughtBy: new Set(bought) });

describe('rankProducts', () => {
  const audience = new Set(['a', 'b', 'c', 'd']);
  const opts = { pinnedNow: null, pinnedTonight: new Set<string>(), streams: 3, limit: 5 };

  it('weighs a purchase as three clicks, counts only tonight\'s viewers and breaks ties by buyers then id', () => {
    const ranked = rankProducts(audience, [ev('x', ['a', 'b', 'c']), ev('y', [], ['a']), ev('z', ['a', 'z1', 'z2', 'z3', 'z4']), ev('w', ['b', 'c', 'd'])], opts);
    expect(ranked.map((p) => [p.productId, p.score])).toEqual([
      ['y', 3],
      ['w', 3],
      ['x', 3],
      ['z', 1],
    ]);
    expect(ranked[0]!.reason).toBe("Bought by 1 of tonight's 4 viewers in the brand's last 3 streams.");
  });

  it('leaves out the product pinned now, products nobody here touched, and stops at the limit', () => {
    const ranked = rankProducts(audience, [ev('now', ['a']), ev('cold', ['q']), ev('k1', ['a']), ev('k2', ['b'])], { ...opts, pinnedNow: 'now', limit: 1 });
    expect(ranked.map((p) => p.productId)).toEqual(['k1']);
  });
});

describe('segmentSkew', () => {
  it('flags a segment 10 points or more off its mean share over earlier streams, each stream weighing the same', () => {
    const r = segmentSkew({ loyal: 30, casual: 70 }, [
      { loyal: 1, casual: 9 },
      { loyal: 300, casual: 700 },
    ]);
    expect(r).toEqual([
      expect.objectContaining({ segment: 'casual', tonight: 70, tonightShare: 0.7, usualShare: 0.8, deltaPoints: -10, reading: 'under' }),
      expect.objectContaining({ segment: 'loyal', tonight: 30, tonightShare: 0.3, usualShare: 0.2, deltaPoints: 10, reading: 'over' }),
    ]);
    expect(r[1]!.reason).toBe('loyal: 30% of tonight\'s viewers against 20% usually (+10 points), over-represented.');
  });

  it('reads a segment absent tonight as 0% and says so when there is nothing to compare with', () => {
    expect(segmentSkew({ casual: 5 }, [{ casual: 5, dormant: 5 }]).map((x) => [x.segment, x.deltaPoints, x.reading])).toEqual([
      ['casual', 50, 'over'],
      ['dormant', -50, 'under'],
    ]);
    expect(segmentSkew({ casual: 3 }, [])).toEqual([expect.objectContaining({ segment: 'casual', usualShare: null, deltaPoints: null, reading: 'no_history' })]);
    expect(segmentSkew({}, [{}])).toEqual([]);
  });
});
