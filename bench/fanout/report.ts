import { availableParallelism } from 'node:os';
import { fmt, formatTable } from '../lib/table.js';
import type { FanoutOptions } from './options.js';
import type { TargetResult } from './measure.js';

/** The issue's bars: stickyroom against the bare Socket.IO baseline under the same load. */
export const BARS = {
  mustDeliveriesRatio: 0.8,
  mustHeapRatio: 1.5,
  goalDeliveriesRatio: 2,
  /** Issue 11's bar for the 10,000-viewer room (500,000 deliveries/s demanded at 50 msg/s). */
  goalDeliveriesRatioAt10k: 3,
  goalP99Ms: 500,
  /** A generator above this (cores or event-loop share) measures itself, not the server. */
  generatorSaturated: 0.9,
};

/** The deliveries bar for a room of `viewers`: 2x at the default 5,000, 3x from 10,000 (issue 11). */
export function goalDeliveriesRatio(viewers: number): number {
  return viewers >= 10_000 ? BARS.goalDeliveriesRatioAt10k : BARS.goalDeliveriesRatio;
}

export interface Verdict {
  must?: boolean;
  goal?: boolean;
  lines: string[];
}

type Row = { label: string; value: (r: TargetResult) => number; show: (n: number) => string; ratio?: boolean };

const ROWS: Row[] = [
  { label: 'deliveries/s (msg x viewer)', value: (r) => r.deliveries.perSec, show: fmt.int, ratio: true },
  { label: 'demanded deliveries/s', value: (r) => r.deliveries.demandedPerSec, show: fmt.int },
  { label: 'delivered / demanded', value: (r) => r.deliveries.perSec / r.deliveries.demandedPerSec, show: fmt.pct },
  { label: 'window msgs delivered by drain end', value: (r) => r.deliveries.completeness, show: fmt.pct },
  { label: 'frames/s to viewers', value: (r) => r.deliveries.framesPerSec, show: fmt.int },
  { label: 'messages per frame', value: (r) => r.deliveries.messagesPerFrame, show: (n) => fmt.fixed(n, 2) },
  { label: 'latency p50 (ms)', value: (r) => r.latencyMs.p50, show: fmt.int, ratio: true },
  { label: 'latency p90 (ms)', value: (r) => r.latencyMs.p90, show: fmt.int },
  { label: 'latency p99 (ms)', value: (r) => r.latencyMs.p99, show: fmt.int, ratio: true },
  { label: 'latency max (ms)', value: (r) => r.latencyMs.max, show: fmt.int },
  { label: 'chat sent/s (window)', value: (r) => r.sent.perSec, show: (n) => fmt.fixed(n, 1) },
  { label: 'chat:send ack p50 (ms)', value: (r) => r.sent.ackP50Ms, show: fmt.int },
  { label: 'chat:send ack p99 (ms)', value: (r) => r.sent.ackP99Ms, show: fmt.int },
  { label: 'server CPU (% of one core)', value: (r) => r.server.cpu, show: fmt.pct, ratio: true },
  { label: 'server event-loop busy', value: (r) => r.server.elu, show: fmt.pct },
  { label: 'server RSS at end', value: (r) => r.server.rssEnd, show: fmt.mb, ratio: true },
  { label: 'server heap used at end', value: (r) => r.server.heapUsedEnd, show: fmt.mb },
  { label: 'heap per connection (after GC)', value: (r) => r.server.heapPerConnection, show: fmt.kb, ratio: true },
  { label: 'RSS per connection', value: (r) => r.server.rssPerConnection, show: fmt.kb, ratio: true },
  { label: 'viewer generator CPU (max)', value: (r) => Math.max(...r.generators.cpu.slice(1)), show: fmt.pct },
  { label: 'viewer generator event-loop busy (max)', value: (r) => Math.max(...r.generators.elu.slice(1)), show: fmt.pct },
  { label: 'sender generator CPU', value: (r) => r.generators.cpu[0] ?? NaN, show: fmt.pct },
  { label: 'redis CPU (% of one core, shared)', value: (r) => r.redisCpu, show: fmt.pct },
  { label: `machine busy (${availableParallelism()} cores)`, value: (r) => r.machineBusy, show: fmt.pct },
  { label: 'connect time (s)', value: (r) => r.connections.seconds, show: (n) => fmt.fixed(n, 1) },
];

export function fanoutTable(results: readonly TargetResult[]): string {
  const base = results.find((r) => r.name === 'baseline');
  const sticky = results.find((r) => r.name === 'stickyroom');
  const both = base && sticky;
  const header = ['metric', ...results.map((r) => r.name), ...(both ? ['stickyroom/baseline'] : [])];
  const rows = ROWS.map((row) => {
    const cells = [row.label, ...results.map((r) => row.show(row.value(r)))];
    if (both) cells.push(row.ratio ? fmt.ratio(row.value(sticky), row.value(base)) : '');
    return cells;
  });
  return formatTable(header, rows);
}

export function fanoutVerdict(results: readonly TargetResult[], opts: FanoutOptions): Verdict {
  const lines: string[] = [];
  const cores = availableParallelism();
  let tainted = false;
  for (const r of results) {
    const gen = Math.max(...r.generators.cpu, ...r.generators.elu);
    if (gen >= BARS.generatorSaturated) {
      tainted = true;
      lines.push(`WARNING ${r.name}: a load generator was saturated (${fmt.pct(gen)} of a core or of its event loop): part of this run measures the generator, not the server`);
    }
    const others = r.machineBusy * cores - r.server.cpu - r.generators.cpu.reduce((a, b) => a + b, 0) - r.redisCpu;
    if (others > 0.2) tainted = true;
    if (others > 0.2) lines.push(`NOTE ${r.name}: other processes used about ${fmt.fixed(others, 2)} cores during the window (shared machine)`);
    if (r.connections.failed > 0) lines.push(`WARNING ${r.name}: ${r.connections.failed} sockets failed to connect: ${JSON.stringify(r.connections.errors)}`);
    if (r.disconnects > 0) lines.push(`WARNING ${r.name}: ${r.disconnects} sockets dropped during the run`);
    const errors = Object.entries(r.sent.ackErrors);
    if (errors.length) lines.push(`WARNING ${r.name}: chat:send refused: ${errors.map(([k, v]) => `${k} x${v}`).join(', ')}`);
    if (Object.keys(r.settings).length) lines.push(`${r.name} settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    if (!r.server.heapAfterGc) lines.push(`NOTE ${r.name}: heap was read without a forced GC`);
  }
  const base = results.find((r) => r.name === 'baseline');
  const sticky = results.find((r) => r.name === 'stickyroom');
  if (!base || !sticky) return { lines };
  const dRatio = sticky.deliveries.perSec / base.deliveries.perSec;
  const hRatio = sticky.server.heapPerConnection / base.server.heapPerConnection;
  const must = dRatio >= BARS.mustDeliveriesRatio && hRatio <= BARS.mustHeapRatio;
  const goalRatio = goalDeliveriesRatio(opts.viewers);
  const goal = dRatio >= goalRatio && sticky.latencyMs.p99 <= BARS.goalP99Ms;
  lines.push(
    `MUST ${must ? 'met' : 'MISSED'}: deliveries/s ${fmt.fixed(dRatio, 2)}x baseline (>= ${BARS.mustDeliveriesRatio}), heap/connection ${fmt.fixed(hRatio, 2)}x (<= ${BARS.mustHeapRatio})`,
    `GOAL ${goal ? 'met' : 'MISSED'}: deliveries/s ${fmt.fixed(dRatio, 2)}x baseline (>= ${goalRatio}), stickyroom p99 ${fmt.int(sticky.latencyMs.p99)} ms (<= ${BARS.goalP99Ms})`,
  );
  if (tainted) lines.push('NOT A CLEAN MEASURE: a generator saturated or other processes took CPU (see above); run again on a quiet machine');
  if (opts.viewers < 5000 || opts.rate < 50) lines.push('NOTE: a reduced-size run; the bars are set for 5,000 viewers at 50 msg/s (3x the deliveries from 10,000)');
  return { must, goal, lines };
}
