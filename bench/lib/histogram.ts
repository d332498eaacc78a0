/**
 * Latency histogram with 1 ms buckets up to `maxMs` (the last bucket holds everything slower).
 * Cheap to record into (one array increment) and to merge across processes as sparse pairs.
 */
export class Histogram {
  private readonly buckets: Float64Array;
  count = 0;
  private sum = 0;
  max = 0;

  constructor(readonly maxMs = 120_000) {
    this.buckets = new Float64Array(maxMs + 1);
  }

  record(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    this.buckets[v >= this.maxMs ? this.maxMs : Math.round(v)]! += 1;
    this.count += 1;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** Non-empty buckets as `[ms, count]` pairs plus the exact sum and max, for sending to another process. */
  toJSON(): SparseHistogram {
    const pairs: [number, number][] = [];
    for (let i = 0; i < this.buckets.length; i++) if (this.buckets[i]! > 0) pairs.push([i, this.buckets[i]!]);
    return { pairs, count: this.count, sum: this.sum, max: this.max };
  }

  merge(other: SparseHistogram): void {
    for (const [ms, n] of other.pairs) this.buckets[Math.min(ms, this.maxMs)]! += n;
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  /** The value at quantile q (0..1), in ms; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return i;
    }
    return this.maxMs;
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }
}

export interface SparseHistogram {
  pairs: [number, number][];
  count: number;
  sum: number;
  max: number;
}
