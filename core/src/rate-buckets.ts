/**
 * Token buckets by key, in this node's memory: `perSec` tokens a second, bursts up to `perSec`. Callers pass
 * monotonic time (`performance.now()`): these guard against floods, and a wall-clock jump must not refill them.
 * A bucket that has filled up again is the same as no bucket, so `prune` forgets those and the map
 * holds only keys that were busy in the last second.
 */
export class RateBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastPrune = 0;

  constructor(private readonly perSec: number) {}

  /**
   * Takes up to `n` tokens from `key`'s bucket at time `now` (ms): the number granted (0 to n), and when
   * none could be, how long until one can.
   */
  take(key: string, now: number, n = 1): { granted: number; retryAfterMs: number } {
    this.prune(now);
    const b = this.buckets.get(key) ?? { tokens: this.perSec, at: now };
    b.tokens = Math.min(this.perSec, b.tokens + (Math.max(0, now - b.at) / 1000) * this.perSec);
    b.at = now;
    const granted = Math.min(n, Math.floor(b.tokens));
    b.tokens -= granted;
    this.buckets.set(key, b);
    const retryAfterMs = granted > 0 ? 0 : Math.ceil(((1 - b.tokens) / this.perSec) * 1000);
    return { granted, retryAfterMs };
  }

  /** Keys currently tracked (tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private prune(now: number): void {
    if (now - this.lastPrune < 1000) return;
    this.lastPrune = now;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.perSec >= this.perSec) this.buckets.delete(key);
    }
  }
}
