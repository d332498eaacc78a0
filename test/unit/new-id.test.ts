import { describe, expect, it } from 'vitest';
import { newId } from '../../core/src/streams/streams.service.js';
import { newScopedId } from '../../core/src/streams/scoped-id.js';
import { StreamId } from '@stickyroom/sdk/protocol';

describe('ids', () => {
  it('are URL-safe, of their length, valid stream ids, and never begin with - or _ (a CSV cell or a CLI option)', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{11}$/);
      expect(StreamId.safeParse(id).success).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // about one id in 64 begins with each of the two: drawn again, the rest of the alphabet still shows up
    expect(new Set(ids.map((id) => id[0])).size).toBe(62);
    for (const id of Array.from({ length: 2_000 }, () => newScopedId('s1'))) expect(id).toMatch(/^s1\.[A-Za-z0-9][A-Za-z0-9_-]{7}$/);
  });
});
