import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc CPU counters (USER_HZ, 100 on every Linux we run on). */
const CLK_TCK = 100;

/** User + system CPU seconds a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: split after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLK_TCK;
}

/**
 * User + system CPU seconds one thread of a process has used so far, from /proc/<pid>/task/<tid>/stat
 * (a process's main thread has tid = pid: its event loop, without its worker and helper threads).
 */
export function threadCpuSeconds(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

export interface MachineCpu {
  busy: number;
  total: number;
}

/** Cumulative busy and total ticks of all cores, from /proc/stat. */
export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** Share of the whole machine (all cores) busy between two samples, 0..1. */
export function machineBusy(a: MachineCpu, b: MachineCpu): number {
  const total = b.total - a.total;
  return total > 0 ? (b.busy - a.busy) / total : 0;
}

function readOrNaN(pid: number): number {
  try {
    return cpuSeconds(pid);
  } catch {
    return NaN; // the process is gone
  }
}

/**
 * CPU use of a set of processes over a window, as a share of one core (1 = one core fully busy).
 * Call `start()` then `stop()`; a process gone by then reads NaN.
 */
export class CpuWindow {
  private readonly first = new Map<number, number>();
  private startedAt = 0;

  constructor(private readonly pids: readonly number[]) {}

  start(): void {
    this.startedAt = performance.now();
    for (const pid of this.pids) this.first.set(pid, readOrNaN(pid));
  }

  /** Core share per pid. */
  stop(): Map<number, number> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const out = new Map<number, number>();
    for (const pid of this.pids) out.set(pid, (readOrNaN(pid) - (this.first.get(pid) ?? NaN)) / seconds);
    return out;
  }
}

/**
 * On a shared machine, waits until the whole machine is at most `maxBusy` busy over a `sampleMs` sample,
 * for at most `maxWaitMs`. Resolves the last sample (0..1) either way: the caller reports it.
 */
export async function waitForQuiet(opts: { maxBusy: number; maxWaitMs: number; sampleMs?: number }): Promise<{ busy: number; waitedMs: number }> {
  const sampleMs = opts.sampleMs ?? 2000;
  const started = Date.now();
  for (;;) {
    const a = machineCpu();
    await new Promise((r) => setTimeout(r, sampleMs));
    const busy = machineBusy(a, machineCpu());
    const waitedMs = Date.now() - started;
    if (busy <= opts.maxBusy || waitedMs >= opts.maxWaitMs) return { busy, waitedMs };
  }
}
