import type { Redis } from 'ioredis';
import { Keys } from './keys.js';

/**
 * Unlinks every key a deployment wrote under `prefix`, BullMQ's braced prefix included, SCAN batch by SCAN
 * batch: what a test run, a benchmark or a simulation leaves behind. One Redis (a cluster scans per node).
 * Answers how many keys went.
 */
export async function unlinkPrefix(redis: Redis, prefix: string): Promise<number> {
  let dropped = 0;
  for (const pattern of [`${prefix}*`, `${new Keys(prefix).bullPrefix}*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) dropped += await redis.unlink(...keys);
    } while (cursor !== '0');
  }
  return dropped;
}
