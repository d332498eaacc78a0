/** A range of numbered viewers (`<prefix><from>` to `<prefix><from + count - 1>`). */
export interface Range {
  from: number;
  count: number;
}

/** Part `i` of `total` viewers cut into `parts` ranges in a row; the first ones get one more where it does not divide. */
export function split(total: number, parts: number, i: number): Range {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return { from: i * base + Math.min(i, extra), count: base + (i < extra ? 1 : 0) };
}
