import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventGate } from '../../core/src/redis/event-gate.js';
import type { Keys } from '../../core/src/redis/keys.js';
import { scoringKeys } from '../../core/src/scoring/scoring.keys.js';

const core = join(dirname(fileURLToPath(import.meta.url)), '../../core/src');

/** Imports every feature's scripts module (and the shared lease), so `definedScripts()` holds every script. */
export async function importEveryScript(): Promise<void> {
  const files = readdirSync(core, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.scripts.ts') || f === join('redis', 'lease.ts'));
  for (const f of files) await import(join(core, f));
}

/**
 * Arguments of any shape for any script: every field reads as a string naming its path (`brandId`,
 * `record.viewerId`), so a key builder gets distinct ids for distinct fields and two ids of different kinds
 * (a stream and a brand) never share a hash tag by accident; any `...streamId` reads as `streamId`. Fields
 * a caller builds from a stream are built from it: the event gate (`gate`) and a leased key (`key`); a
 * leaderboard's boards (`boards`) are the brand's. A list reads as two elements of any shape.
 */
export function anyArgs(keys: Keys, streamId: string, path = ''): unknown {
  const name = path || 'args';
  return new Proxy(function () {} as object, {
    get(_t, prop) {
      if (prop === Symbol.toPrimitive || prop === 'toString') return () => (path.endsWith('streamId') ? streamId : name);
      // a list (the viewers of a batch script, say) reads as two elements of any shape
      const items = () => [0, 1].map((i) => anyArgs(keys, streamId, `${name}[${i}]`));
      if (prop === Symbol.iterator) return () => items()[Symbol.iterator]();
      if (prop === 'map') return (fn: (x: unknown, i: number) => unknown) => items().map(fn);
      if (prop === 'flatMap') return (fn: (x: unknown, i: number) => unknown) => items().flatMap(fn);
      if (prop === 'length') return 2;
      if (typeof prop === 'symbol') return undefined;
      if (prop === 'gate') return eventGate(keys, 10, streamId, 'user-1');
      if (prop === 'key') return keys.stream(streamId, 'lease');
      if (prop === 'boards') return [scoringKeys(keys, 'brandId').tier('new'), scoringKeys(keys, 'brandId').tier('loyal')];
      return anyArgs(keys, streamId, path ? `${path}.${prop}` : prop);
    },
  });
}
