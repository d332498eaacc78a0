import { cpus, hostname, loadavg } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './child.js';

/** What one benchmark hands back to `bench/run.ts`. */
export interface BenchOutcome {
  /** The printed table. */
  table: string;
  /** Verdicts, warnings and settings, one line each, printed under the table. */
  notes: string[];
  /** Everything measured, written to bench/results/<name>-<time>.json. */
  json: unknown;
}

export interface Benchmark {
  name: string;
  /** One line for `npm run bench -- --help`. */
  summary: string;
  /** Option lines for `npm run bench <name> -- --help`. */
  usage(): string;
  /** Runs with the given command-line options (defaults when empty); progress lines go to `log`. */
  run(argv: readonly string[], log: (line: string) => void): Promise<BenchOutcome>;
}

export const RESULTS_DIR = join(REPO_ROOT, 'bench/results');

/** Writes a run's JSON next to the others (bench/results is gitignored) and returns its path. */
export async function saveResult(name: string, json: unknown): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}

/** The machine a result was measured on, for its JSON record. */
export function machineRecord(): { host: string; cpus: number; cpu: string | undefined; node: string; loadAvg: number[] } {
  return { host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAvg: loadavg() };
}
