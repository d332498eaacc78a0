import { describe, expect, it } from 'vitest';
import { ReactionBuffer } from '../../core/src/reactions/reactions.buffer.js';

describe('reaction buffer', () => {
  it('coalesces many taps into one count per stream and kind and one per viewer', () => {
    const b = new ReactionBuffer();
    for (let i = 0; i < 1000; i++) b.add('s1', 'like', 1, `v${i % 3}`);
    b.add('s1', 'fire', 5, 'v0');
    b.add('s2', 'like', 2);
    const out = b.drain();
    expect(Object.fromEntries(out.get('s1')!.kinds)).toEqual({ like: 1000, fire: 5 });
    expect(Object.fromEntries(out.get('s1')!.viewers)).toEqual({ v0: 339, v1: 333, v2: 333 });
    expect(Object.fromEntries(out.get('s2')!.kinds)).toEqual({ like: 2 });
    expect(out.get('s2')!.viewers.size).toBe(0);
  });

  it('starts empty after a drain and takes back what a failed flush returns', () => {
    const b = new ReactionBuffer();
    b.add('s1', 'like', 3, 'v');
    const first = b.drain();
    expect(b.isEmpty).toBe(true);
    b.add('s1', 'like', 1, 'v');
    b.restore('s1', first.get('s1')!);
    const again = b.drain().get('s1')!;
    expect(Object.fromEntries(again.kinds)).toEqual({ like: 4 });
    expect(Object.fromEntries(again.viewers)).toEqual({ v: 4 });
  });

  it('restores viewer counts alone without inventing stream totals', () => {
    const b = new ReactionBuffer();
    b.restore('s1', { viewers: new Map([['v', 2]]) });
    const s = b.drain().get('s1')!;
    expect(s.kinds.size).toBe(0);
    expect(Object.fromEntries(s.viewers)).toEqual({ v: 2 });
  });
});
