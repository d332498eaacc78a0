/** Counts by reason (error codes, refusals), as the benchmarks report them. */
export type Tally = Record<string, number>;

/** One more of `key`. */
export function bump(tally: Tally, key: string): void {
  tally[key] = (tally[key] ?? 0) + 1;
}

/** Two tallies summed, key by key (neither changed). */
export function plus(a: Tally, b: Tally): Tally {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}
