import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChainableCommander, Redis } from 'ioredis';
import { gateRefusal, type EventGate } from './event-gate.js';

const here = dirname(fileURLToPath(import.meta.url));
const featuresDir = join(here, '..');
/** Scripts of shared mechanisms (leases), not of one feature. */
const sharedDir = join(here, 'scripts');

interface ScriptDef {
  name: string;
  numberOfKeys: number;
  lua: string;
}

let cache: ScriptDef[] | undefined;

/** Every `features/<feature>/<name>-<numKeys>.lua` and `redis/scripts/<name>-<numKeys>.lua`, read once per process. */
export function scriptDefs(): ScriptDef[] {
  if (cache) return cache;
  const defs: ScriptDef[] = [];
  const dirs = [sharedDir, ...readdirSync(featuresDir).map((f) => join(featuresDir, f))];
  for (const dir of dirs) {
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir)) {
      const m = /^([a-z][a-zA-Z0-9]*(?:-[a-z][a-zA-Z0-9]*)*)-(\d+)\.lua$/.exec(file);
      if (!m) continue;
      const name = m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      if (defs.some((d) => d.name === name)) throw new Error(`two Lua scripts are named ${name}`);
      defs.push({ name, numberOfKeys: Number(m[2]), lua: readFileSync(join(dir, file), 'utf8') });
    }
  }
  cache = defs;
  return defs;
}

let gatePrelude: string | undefined;

/**
 * Registers every script with ioredis `defineCommand` (EVALSHA with a NOSCRIPT fallback), and beside it
 * `<name>Gated`: the event-gate prelude followed by the script, taking one more key and argument.
 */
export function loadScripts(redis: Redis): void {
  gatePrelude ??= readFileSync(join(sharedDir, 'event-gate.prelude.lua'), 'utf8');
  for (const def of scriptDefs()) {
    redis.defineCommand(def.name, { numberOfKeys: def.numberOfKeys, lua: def.lua });
    redis.defineCommand(`${def.name}Gated`, { numberOfKeys: def.numberOfKeys + 1, lua: `${gatePrelude}\n${def.lua}` });
  }
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Runs a script defined from `<name>-<n>.lua` (name in camelCase). Keys and args are passed separately
 * so a call site reads like the script's header. With a `gate`, the script first counts the user's event
 * across nodes and refuses it as `rate_limited` over the limit (event-gate.ts).
 */
export async function runScript<T = unknown>(
  redis: Redis,
  name: string,
  keys: string[],
  args: (string | number)[],
  gate?: EventGate,
): Promise<T> {
  if (!gate) return (await scriptFn(redis, name).call(redis, ...keys, ...args)) as T;
  try {
    return (await scriptFn(redis, `${name}Gated`).call(redis, ...keys, gate.key, ...args, gate.limit)) as T;
  } catch (err) {
    throw gateRefusal(err) ?? err;
  }
}

/**
 * Queues a script call on a pipeline or MULTI; its reply (or error) arrives with the pipeline's `exec()`.
 * On a pipeline the call answers the pipeline itself, not a promise.
 */
export function queueScript(pipeline: ChainableCommander, name: string, keys: string[], args: (string | number)[]): void {
  (scriptFn(pipeline, name) as unknown as (...a: (string | number)[]) => ChainableCommander).call(pipeline, ...keys, ...args);
}

function scriptFn(target: Redis | ChainableCommander, name: string): ScriptFn {
  const fn = (target as unknown as Record<string, ScriptFn | undefined>)[name];
  if (typeof fn !== 'function') throw new Error(`no Lua script named ${name}`);
  return fn;
}
