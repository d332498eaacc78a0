import type { AppContext } from '../context.js';
import { isCluster } from '../redis/client.js';

/** A string as a literal in a SCAN / HSCAN MATCH pattern. */
export const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/**
 * Keys matching a pattern on every node (every master of a Redis Cluster), in SCAN pages: a walk of the
 * whole keyspace, for rare operator work only (a data-rights request, the hourly retention run).
 */
export async function scanKeys(ctx: AppContext, pattern: string, onPage: (keys: string[]) => Promise<void>): Promise<void> {
  const nodes = isCluster(ctx.redis) ? ctx.redis.nodes('master') : [ctx.redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await onPage([...new Set(keys)]);
    } while (cursor !== '0');
  }
}
