import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { runScript } from './scripts.js';

/**
 * A lease on a key (scripts/lease-1.lua): one holder at a time, lost when it expires, so a holder that
 * dies is replaced by the next caller after `ms`.
 */
export class Lease {
  private constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ms: number,
    private readonly token: string,
  ) {}

  /** The lease, or null while someone else holds it. */
  static async acquire(redis: Redis, key: string, ms: number): Promise<Lease | null> {
    const lease = new Lease(redis, key, ms, randomUUID());
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

  private async run(op: 'acquire' | 'renew' | 'release', ms: number): Promise<boolean> {
    return (await runScript<number>(this.redis, 'lease', [this.key], [op, this.token, ms])) === 1;
  }
}
