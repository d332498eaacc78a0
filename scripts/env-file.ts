/**
 * The `.env` file `npm start` reads (Node's own loader, `process.loadEnvFile`, Node >= 20.12). A variable
 * already set in the environment keeps its value: the file fills in, it never overrides, so
 * `PORT=4000 npm start` wins over a PORT in .env.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

export interface EnvFileRead {
  /** The file read (absolute). */
  path: string;
  /** Names it set. */
  set: string[];
  /** Names it holds that the environment already had (their values were kept). */
  kept: string[];
}

/** Reads `path` (default `.env` in the working directory) into process.env when it exists; undefined when it does not. */
export function readEnvFile(path = '.env'): EnvFileRead | undefined {
  const file = resolve(path);
  if (!existsSync(file)) return undefined;
  const names = Object.keys(parseEnv(readFileSync(file, 'utf8')));
  const kept = names.filter((n) => process.env[n] !== undefined);
  process.loadEnvFile(file);
  return { path: file, set: names.filter((n) => !kept.includes(n)), kept };
}
