/**
 * `npm run simulate [-- --seed 1 --streams 6 --viewers 300 --weeks-between 1 --minutes 30 --port 3000 --keep-running|--exit]`
 *
 * Plays a brand's history through the real server and worker on a simulated clock (docs/simulate.md), then
 * prints the headline figures and the dashboard URLs. Interactive runs keep the server up until Ctrl-C so the
 * URLs work; a run that is not on a terminal (or given --exit) stops at the end.
 */
import { parseArgs } from 'node:util';
import type { StreamSummary } from '@stickyroom/sdk';
import { ConfigError } from '../../core/src/config.js';
import { DEFAULTS, runSimulation, simulationConfig, type SimRun } from './driver.js';
import { createProgress } from './progress.js';

function fail(message: string, code = 2): never {
  process.stderr.write(`stickyroom simulate: ${message}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({
    options: {
      seed: { type: 'string', default: String(DEFAULTS.seed) },
      streams: { type: 'string', default: String(DEFAULTS.streams) },
      viewers: { type: 'string', default: String(DEFAULTS.viewers) },
      'weeks-between': { type: 'string', default: String(DEFAULTS.weeksBetween) },
      minutes: { type: 'string', default: String(DEFAULTS.minutes) },
      port: { type: 'string', default: process.env.PORT ?? String(DEFAULTS.port) },
      'keep-running': { type: 'boolean', default: false },
      exit: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  fail(`${(err as Error).message} (see --help)`);
}
if (args.help) {
  process.stdout.write(
    'npm run simulate -- [--seed N] [--streams 6] [--viewers 300] [--weeks-between 1] [--minutes 30] [--port 3000] [--keep-running | --exit]\n' +
      'Plays a brand history through the real server on a simulated clock; docs/simulate.md.\n',
  );
  process.exit(0);
}
const int = (name: string, value: string, min: number, max: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name}: a whole number from ${min} to ${max}, not ${value}`);
  return n;
};
const opts = {
  seed: int('seed', args.seed, 0, 2 ** 32 - 1),
  streams: int('streams', args.streams, 1, 52),
  viewers: int('viewers', args.viewers, 1, 5000),
  weeksBetween: int('weeks-between', args['weeks-between'], 0, 52),
  minutes: int('minutes', args.minutes, 5, 240),
  port: int('port', args.port, 0, 65535),
};

// refused before anything starts: NODE_ENV=production never runs on the simulation clock
try {
  simulationConfig(opts);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

const interactive = Boolean(process.stdout.isTTY && process.stdin.isTTY);
const keep = args['keep-running'] || (interactive && !args.exit);
process.stderr.write(
  `simulating ${opts.streams} stream(s) of ${opts.minutes} min, ${opts.weeksBetween} week(s) apart, ${opts.viewers} viewers, seed ${opts.seed}\n`,
);

let run: SimRun;
try {
  run = await runSimulation({ ...opts, progress: createProgress(process.stderr, opts.streams * opts.minutes * 4) });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') fail(`port ${opts.port} is in use: pass --port <another> (0 picks a free one)`, 1);
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT'].includes(e.code ?? '') || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(e.message)) fail(`no Redis answers at REDIS_URL (${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}): start one (redis-server, or docker compose up -d redis)`, 1);
  throw err;
}

const pct = (x: number | null) => (x === null ? '  -  ' : `${(x * 100).toFixed(1).padStart(5)}%`);
const out: string[] = [];
out.push('', `Brand ${run.brandId}: ${run.streams.length} stream(s)`, '');
out.push('stream                         unique  avg watch  engaged  orders    revenue  returning   NPS');
for (const { title, summary: s } of run.streams) {
  out.push(
    `${title.slice(0, 30).padEnd(30)} ${String(s.uniqueViewers).padStart(6)}  ${`${Math.round(s.avgWatchSec / 60)}m${String(Math.round(s.avgWatchSec % 60)).padStart(2, '0')}s`.padStart(9)}  ${pct(s.engagementRate)}  ${String(s.orders).padStart(6)}  ${money(s).padStart(9)}  ${pct(s.uniqueViewers ? s.returningViewers / s.uniqueViewers : null)}  ${String(s.survey?.nps ?? '-').padStart(4)}`,
  );
}
const lastSegments = run.streams.at(-1)?.summary.segments.after;
if (lastSegments) out.push('', `Viewers of the last stream by segment: ${Object.entries(lastSegments).map(([k, n]) => `${k} ${n}`).join(', ')}`);
out.push('', 'Top viewers of the brand (stickiness score):');
for (const t of run.topViewers) {
  out.push(`  ${t.viewerId}  ${t.persona.padEnd(16)} score ${t.score.toFixed(1).padStart(5)}  ${t.segment.padEnd(8)} ${t.streams} stream(s)`);
}
if (run.report && typeof run.report === 'object') {
  // the report's period figures (GET /api/brands/:id/report), one level of nesting flattened
  const period = (run.report as { period?: Record<string, unknown> }).period ?? {};
  const numbers = Object.entries(period).flatMap(([k, v]): [string, unknown][] =>
    v && typeof v === 'object' ? Object.entries(v as Record<string, unknown>).map(([k2, v2]) => [`${k}.${k2}`, v2]) : [[k, v]],
  );
  const shown = numbers.filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k} ${Number.isInteger(v) ? v : (v as number).toFixed(2)}`);
  if (shown.length) out.push('', `Brand report, the whole period: ${shown.join(', ')}`);
} else {
  out.push('', `(the brand report, GET /api/brands/${run.brandId}/report, is not served by this server: figures above are from each stream's summary)`);
}
out.push('', 'Dashboards (the token in the link is a brand token of this simulation, valid 24 h):');
for (const s of run.streams) out.push(`  ${s.title}: ${s.dashboardUrl}`);
out.push(`  brand: ${run.brandUrl}`, '');
process.stdout.write(out.join('\n') + '\n');

function money(s: StreamSummary): string {
  return `${s.revenue.toFixed(2)}`;
}

/** Stops the server and the worker and removes the run's keys; a failure to do so is said, and the exit is 1. */
function stop(): void {
  run.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`stickyroom simulate: stopping failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
if (keep) {
  process.stderr.write(`server running at ${run.url} (the simulated clock stays at the end of the history); Ctrl-C to stop\n`);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  stop();
}
