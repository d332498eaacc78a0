import type { RedisClient } from './client.js';

/** A flat `[field, value, field, value, ...]` reply (HGETALL from a script, WITHSCORES, HSCAN pages) as pairs. */
export function* pairs(flat: readonly string[]): Generator<[string, string]> {
  for (let i = 0; i + 1 < flat.length; i += 2) yield [flat[i]!, flat[i + 1]!];
}

/** A flat field/value reply as an object, as ioredis gives HGETALL outside scripts. */
export function hashFromPairs(flat: readonly string[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [field, value] of pairs(flat)) h[field] = value;
  return h;
}

/** Every field of a hash, read with HSCAN in pages rather than one large reply; each field once. */
export async function* scanHash(redis: RedisClient, key: string, count = 500): AsyncGenerator<[string, string]> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', count);
    cursor = next;
    for (const [field, value] of pairs(flat)) {
      if (seen.has(field)) continue; // HSCAN may return a field twice
      seen.add(field);
      yield [field, value];
    }
  } while (cursor !== '0');
}
