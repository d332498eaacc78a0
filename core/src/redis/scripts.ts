import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './client.js';
import { gateRefusal, type EventGate } from './event-gate.js';
import type { Keys } from './keys.js';
import { Refused, refusalError, type Refusal } from './refusals.js';

const here = dirname(fileURLToPath(import.meta.url));
/** core/src: each feature's scripts sit in its folder. */
const coreDir = join(here, '..');
/** Scripts of shared mechanisms (leases), not of one feature. */
const sharedDir = join(here, 'scripts');

interface ScriptDef {
  file: string;
  name: string;
  /** null: any number of keys (`<name>-n.lua`), given with each call. */
  numberOfKeys: number | null;
  lua: string;
}

let cache: ScriptDef[] | undefined;

/** `--! include <path under core/src>`: a line the loader replaces with that file (one level, no nesting). */
const INCLUDE = /^--! include (\S+\.include\.lua)$/gm;

/**
 * A script's text with its includes expanded. An include (`*.include.lua`) defines local functions shared
 * by several scripts (the activity ledger's write, the event gate's count), so a script records what its
 * change implies in the same atomic step without a copy of the code.
 */
export function expandIncludes(lua: string): string {
  return lua.replace(INCLUDE, (_, path: string) => {
    const text = readFileSync(join(coreDir, path), 'utf8');
    if (/^--! include /m.test(text)) throw new Error(`${path}: an include cannot include another`);
    return text;
  });
}

/** Every `core/src/<feature>/<name>-<numKeys>.lua` and `redis/scripts/<name>-<numKeys>.lua` (numKeys `n`: any, given per call), read once per process. */
export function scriptDefs(): ScriptDef[] {
  if (cache) return cache;
  const defs: ScriptDef[] = [];
  const dirs = [sharedDir, ...readdirSync(coreDir).map((f) => join(coreDir, f))];
  for (const dir of dirs) {
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir)) {
      const m = /^([a-z][a-zA-Z0-9]*(?:-[a-z][a-zA-Z0-9]*)*)-(\d+|n)\.lua$/.exec(file);
      if (!m) continue;
      const name = m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      if (defs.some((d) => d.name === name)) throw new Error(`two Lua scripts are named ${name}`);
      defs.push({ file, name, numberOfKeys: m[2] === 'n' ? null : Number(m[2]), lua: expandIncludes(readFileSync(join(dir, file), 'utf8')) });
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
export function loadScripts(redis: RedisClient): void {
  gatePrelude ??= expandIncludes(readFileSync(join(sharedDir, 'event-gate.prelude.lua'), 'utf8'));
  for (const def of scriptDefs()) {
    if (def.numberOfKeys === null) {
      // a batch over many keys of one slot (`-n`): the key count goes first in each call; no gated variant
      redis.defineCommand(def.name, { lua: def.lua });
      continue;
    }
    redis.defineCommand(def.name, { numberOfKeys: def.numberOfKeys, lua: def.lua });
    redis.defineCommand(`${def.name}Gated`, { numberOfKeys: def.numberOfKeys + 1, lua: `${gatePrelude}\n${def.lua}` });
  }
}

export type ScriptArg = string | number;

export interface ScriptSpec<A, Raw, R> {
  /** The script's file, `<name>-<numKeys>.lua`, in its feature's folder (or redis/scripts). */
  file: string;
  /** KEYS, in the order of the script's header: the one place a call's keys are put together. */
  keys: (k: Keys, args: A) => string[];
  /** ARGV, in the order of the script's header. */
  argv: (args: A) => ScriptArg[];
  /**
   * Negative replies that are refusals (a bare number, or a table whose first element is the number):
   * reply -> its name in the one refusal table (refusals.ts). With this set, any other negative reply is
   * a bug and throws; without it, `parse` reads every reply.
   */
  refusals?: Readonly<Record<number, Refusal>>;
  /** The reply as callers use it (a refusal never reaches it). */
  parse: (raw: Raw) => R;
}

/** One Lua script, typed: its arguments, its keys, its reply and its refusals. */
export interface Script<A, R> {
  readonly name: string;
  /**
   * Runs the script; a refusal throws its AppError. With a `gate`, the user's event is first counted across
   * nodes and refused as `rate_limited` over the limit, in the same call (event-gate.ts).
   */
  run(redis: RedisClient, keys: Keys, args: A, gate?: EventGate): Promise<R>;
  /** Runs the script; a refusal is answered as a value, for callers that act on it first. */
  attempt(redis: RedisClient, keys: Keys, args: A, gate?: EventGate): Promise<R | Refused>;
  /** Queues the script on a pipeline or MULTI; read its reply with `reply()` once the batch ran. */
  queue(batch: ChainableCommander, keys: Keys, args: A): void;
  /** The reply of a queued call, as `run` would answer it. */
  reply(raw: unknown): R;
  /** The KEYS of a call (without a gate's), as `run` sends them: they must share one hash slot. */
  keysOf(keys: Keys, args: A): string[];
}

const defined: Script<never, unknown>[] = [];

/** Every script defined so far in this process (the slot test imports every feature's scripts first). */
export function definedScripts(): readonly Script<never, unknown>[] {
  return defined;
}

type Command = (...args: ScriptArg[]) => Promise<unknown>;

/**
 * Defines the typed wrapper of one script. Stores call scripts only through these wrappers (see
 * `<feature>.scripts.ts`), never by name.
 *
 * @example
 * export const productClick = defineScript({
 *   file: 'product-click-12.lua',
 *   keys: (k, a: ClickArgs) => [...],
 *   argv: (a) => [a.productId, a.viewerId, a.now, a.cap],
 *   refusals: { [-1]: 'not_live', [-2]: 'product_not_pinned' },
 *   parse: (clicks: number) => clicks,
 * });
 * await productClick.run(redis, keys, { streamId, productId, viewerId, now, cap });
 */
export function defineScript<A, Raw, R>(spec: ScriptSpec<A, Raw, R>): Script<A, R> {
  const def = scriptDefs().find((d) => d.file === spec.file);
  if (!def) throw new Error(`no Lua script ${spec.file} in core/src/<feature>/ or core/src/redis/scripts/`);
  const { name, numberOfKeys } = def;

  const callArgs = (keys: Keys, args: A): ScriptArg[] => {
    const k = spec.keys(keys, args);
    if (numberOfKeys === null) return [k.length, ...k, ...spec.argv(args)];
    if (k.length !== numberOfKeys) throw new Error(`${spec.file} takes ${numberOfKeys} keys, was given ${k.length}`);
    return [...k, ...spec.argv(args)];
  };
  const command = (target: RedisClient | ChainableCommander, gated = false): Command => {
    const fn = (target as unknown as Record<string, Command | undefined>)[gated ? `${name}Gated` : name];
    if (typeof fn !== 'function') throw new Error(`Lua script ${spec.file} is not loaded on this connection (made by createRedis?)`);
    return fn.bind(target);
  };
  const read = (raw: unknown): R | Refused => {
    if (spec.refusals) {
      const code = typeof raw === 'number' ? raw : Array.isArray(raw) && typeof raw[0] === 'number' ? (raw[0] as number) : undefined;
      if (code !== undefined && code < 0) {
        const refusal = spec.refusals[code];
        if (!refusal) throw new Error(`${spec.file} answered ${code}, which is not one of its refusals`);
        return new Refused(refusal, Array.isArray(raw) ? raw[1] : undefined);
      }
    }
    return spec.parse(raw as Raw);
  };
  const call = async (redis: RedisClient, keys: Keys, args: A, gate: EventGate | undefined): Promise<unknown> => {
    if (!gate) return command(redis)(...callArgs(keys, args));
    if (numberOfKeys === null) throw new Error(`${spec.file} takes any number of keys and has no gated variant`);
    const k = spec.keys(keys, args);
    if (k.length !== numberOfKeys) throw new Error(`${spec.file} takes ${numberOfKeys} keys, was given ${k.length}`);
    try {
      return await command(redis, true)(...k, gate.key, ...spec.argv(args), gate.limit);
    } catch (err) {
      throw gateRefusal(err) ?? err;
    }
  };
  const orThrow = (out: R | Refused): R => {
    if (out instanceof Refused) throw refusalError(out.refusal, out.detail);
    return out;
  };

  const script: Script<A, R> = {
    name,
    async run(redis, keys, args, gate) {
      return orThrow(read(await call(redis, keys, args, gate)));
    },
    async attempt(redis, keys, args, gate) {
      return read(await call(redis, keys, args, gate));
    },
    queue(batch, keys, args) {
      // On a pipeline or MULTI the call answers the batch itself, not a promise: its reply (or error)
      // arrives with the batch's exec().
      (command(batch) as unknown as (...a: ScriptArg[]) => ChainableCommander)(...callArgs(keys, args));
    },
    reply(raw) {
      return orThrow(read(raw));
    },
    keysOf(keys, args) {
      return spec.keys(keys, args);
    },
  };
  defined.push(script as Script<never, unknown>);
  return script;
}
