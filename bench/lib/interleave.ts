import { cpus, loadavg } from 'node:os';
import { waitForQuiet } from './proc.js';
import { fmt } from './table.js';
import type { Variant } from './variants.js';

/**
 * Waits up to `seconds` for the machine to calm down (nothing when 0) and returns how busy it was then
 * (NaN when it did not wait), for the results' record.
 */
export async function quietStart(seconds: number, log: (line: string) => void): Promise<number> {
  if (seconds <= 0) return NaN;
  const quiet = await waitForQuiet({ maxBusy: 0.15, maxWaitMs: seconds * 1000 });
  log(`machine ${fmt.pct(quiet.busy)} busy before the run`);
  return quiet.busy;
}

/** A server variant under measure, connected once and then driven round by round. */
export interface RoundTarget<R> {
  round(r: number): Promise<void>;
  finish(busyBefore: number): Promise<R>;
  stop(): Promise<void>;
}

/**
 * Starts every variant's target, then runs round 0 (the warm-up) to `rounds` with the variants interleaved,
 * so a load spike on a shared machine hits each alike; every target is stopped however the run ends.
 */
export async function runInterleaved<R>(
  variants: readonly Variant[],
  start: (v: Variant) => Promise<RoundTarget<R>>,
  rounds: number,
  busyBefore: number,
): Promise<R[]> {
  const targets: RoundTarget<R>[] = [];
  const results: R[] = [];
  try {
    for (const v of variants) targets.push(await start(v));
    for (let r = 0; r <= rounds; r++) for (const t of targets) await t.round(r);
    while (targets.length) results.push(await targets.shift()!.finish(busyBefore));
  } finally {
    for (const t of targets) await t.stop();
  }
  return results;
}

/** The verdict lines every burst benchmark ends with: sockets that never connected, and the machine's load. */
export function connectFailureLine(label: string, connected: { failed: number; errors: Record<string, number> }): string[] {
  return connected.failed > 0 ? [`WARNING${label ? ` ${label}` : ''}: ${connected.failed} sockets failed to connect: ${JSON.stringify(connected.errors)}`] : [];
}

export const SATURATED_WARNING = 'a generator was saturated (>= 90% of a core or of its event loop)';

export function loadAverageLine(extra = ''): string {
  return `load average at the end: ${loadavg().map((n) => n.toFixed(2)).join(' ')} on ${cpus().length} cores; ${extra}final figures need a quiet machine`;
}
