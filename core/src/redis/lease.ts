import { randomUUID } from 'node:crypto';
import type { RedisClient } from './client.js';
import type { Keys } from './keys.js';
import { defineScript } from './scripts.js';

/** scripts/lease-1.lua: 1 held (acquired, renewed or released), 0 someone else holds it. */
const leaseScript = defineScript({
  file: 'lease-1.lua',
  // the leased key is built by the feature that leases (e.g. qaKeys(...).rewardLease(questionId))
  keys: (_k, a: { key: string; op: 'acquire' | 'renew' | 'release'; token: string; ms: number }) => [a.key],
  argv: (a) => [a.op, a.token, a.ms],
  parse: (held: number) => held === 1,
});

/**
 * A lease on a key (scripts/lease-1.lua): one holder at a time, lost when it expires, so a holder that
 * dies is replaced by the next caller after `ms`.
 */
export class Lease {
  private constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly key: string,
    private readonly ms: number,
    private readonly token: string,
  ) {}

  /** The lease, or null while someone else holds it. */
  static async acquire(redis: RedisClient, keys: Keys, key: string, ms: number): Promise<Lease | null> {
    const lease = new Lease(redis, keys, key, ms, randomUUID());
    return (await lease.run('acquire', ms)) ? lease : null;
  }

  /** Extends the lease; false when it expired and someone else may hold it now. */
  renew(): Promise<boolean> {
    return this.run('renew', this.ms);
  }

  /** Gives the lease up (if still held); never throws. */
  async release(): Promise<void> {
    await this.run('release', 0).catch(() => undefined);
  }

  private run(op: 'acquire' | 'renew' | 'release', ms: number): Promise<boolean> {
    return leaseScript.run(this.redis, this.keys, { key: this.key, op, token: this.token, ms });
  }
}
