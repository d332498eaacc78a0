import { cpus, loadavg } from 'node:os';
import { waitForQuiet } from './proc.js';
import { fmt } from './table.js';
import type { Variant } from './variants.js';
import { BurstRig } from './burst.js';
import type { BurstConnected } from './burst-protocol.js';
import { deathOf } from './child.js';
import { newCounts, RawClient } from './raw-client.js';
import { createLiveStream, startStickyroom, streamerToken, type StickyroomServer } from './stickyroom.js';

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

/** A burst benchmark's server variant, ready: its stream live, a streamer connected, the viewer sockets connected. */
export interface BurstSetup {
  s: StickyroomServer;
  rig: BurstRig;
  streamer: RawClient;
  streamId: string;
  conn: BurstConnected;
}

/**
 * Starts one variant's server, a live stream and a streamer on it, runs `seed` (what the stream should hold
 * before the viewers come), then connects the viewers through the generators (joining the stream at once
 * when `joinAtConnect`). A server that dies meanwhile fails the start; whatever started is stopped on failure.
 */
export async function startBurstTarget(a: {
  v: Variant;
  env: Record<string, string>;
  title: string;
  viewers: number;
  generators: number;
  wave: number;
  joinAtConnect: boolean;
  log: (line: string) => void;
  seed?: (streamer: RawClient, streamId: string) => Promise<string>;
}): Promise<BurstSetup> {
  const { v, log } = a;
  const s = await startStickyroom({ name: `stickyroom (${v.name})`, env: a.env, ...(v.root ? { root: v.root } : {}) });
  const rig = new BurstRig(a.generators, s.server.pid);
  let streamer: RawClient | undefined;
  try {
    const death = deathOf(s.server);
    const streamId = await createLiveStream(s.url, s.jwtSecret, a.title);
    streamer = await RawClient.connect(s.url, { token: await streamerToken(s.jwtSecret) }, newCounts(), 10_000);
    const seeded = a.seed ? await Promise.race([a.seed(streamer, streamId), death]) : undefined;
    log(`${v.name}: ${seeded ? `${seeded}; ` : ''}connecting ${a.viewers} viewers (${a.generators} generators)${a.joinAtConnect ? ', each joining the stream' : ''}`);
    const conn = await Promise.race([
      rig.connect({ url: s.url, jwtSecret: s.jwtSecret, viewers: a.viewers, userPrefix: 'v', wave: a.wave, ...(a.joinAtConnect ? { joinStreamId: streamId } : {}) }),
      death,
    ]);
    log(`${v.name}: ${conn.sockets} connected in ${(conn.ms / 1000).toFixed(1)} s${conn.failed ? `, ${conn.failed} failed: ${JSON.stringify(conn.errors)}` : ''}`);
    if (conn.sockets === 0) throw new Error(`no socket connected: ${JSON.stringify(conn.errors)}`);
    return { s, rig, streamer, streamId, conn };
  } catch (err) {
    streamer?.close();
    await rig.close();
    await s.stop();
    throw err;
  }
}
