import { describe, expect, it } from 'vitest';
import { onRepeatedFrame } from '../../bench/lib/repeated-frame.js';

describe('a load generator reading repeated frames', () => {
  it('reads a frame again only when its bytes differ from the last one read', () => {
    const reads: string[] = [];
    const length = onRepeatedFrame((frame) => {
      reads.push(frame.toString());
      return frame.length;
    });
    // the same bytes in other buffers, as each socket's read brings them
    expect([length(Buffer.from('abc')), length(Buffer.from('abc')), length(Buffer.from('abc'))]).toEqual([3, 3, 3]);
    // one byte changed, then a frame seen before but not last: each read afresh
    expect([length(Buffer.from('abd')), length(Buffer.from('abc')), length(Buffer.from('abcd'))]).toEqual([3, 3, 4]);
    expect(reads).toEqual(['abc', 'abd', 'abc', 'abcd']);
  });
});
