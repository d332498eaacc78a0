import { describe, expect, it } from 'vitest';
import { npsOf } from '../../core/src/survey/survey.nps.js';

const tallyOf = (scores: number[]) => Array.from({ length: 11 }, (_, s) => scores.filter((x) => x === s).length);

describe('NPS', () => {
  it('is %promoters (9–10) minus %detractors (0–6), exactly, from a known set of answers', () => {
    expect(npsOf(tallyOf([10, 9, 9, 8, 7, 6, 3, 0, 10, 10]))).toEqual({ responses: 10, promoters: 5, passives: 2, detractors: 3, nps: 20 });
  });
  it('rounds to an integer, halves away from zero, and is null with no answers', () => {
    expect(npsOf(tallyOf([10, 9, 8, 7, 7, 6, 8, 8])).nps).toBe(13); // 12.5
    expect(npsOf(tallyOf([0, 1, 2, 9, 8, 7, 7, 7])).nps).toBe(-25); // -25
    expect(npsOf(tallyOf([0, 0, 9, 8, 7, 7, 7, 7])).nps).toBe(-13); // -12.5
    expect(npsOf(tallyOf([10, 0, 8])).nps).toBe(0);
    expect(npsOf(tallyOf([10, 10, 8])).nps).toBe(67); // 66.67
    expect(npsOf(tallyOf([])).nps).toBeNull();
    expect(Object.is(npsOf(tallyOf([8])).nps, 0)).toBe(true);
  });
});
