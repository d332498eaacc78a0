/**
 * `npm run soak`: the Redis outage chaos scenario of test/chaos/redis-outage.test.ts, for many rounds.
 * Prints each round's figures and a verdict; exits 1 if any check failed.
 *
 *   npm run soak                     # 10 rounds, 200 viewers
 *   npm run soak -- --rounds 30 --viewers 400
 */
import { parseArgs } from 'node:util';
import { runOutageScenario, type RoundFigures } from '../chaos/outage-scenario.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '10' }, viewers: { type: 'string', default: '200' } },
  strict: true,
});
const rounds = Number(values.rounds);
const viewers = Number(values.viewers);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(viewers) || viewers < 2) {
  process.stderr.write('soak: --rounds and --viewers take whole numbers (rounds >= 1, viewers >= 2)\n');
  process.exit(2);
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const started = Date.now();
out(`soak: ${rounds} rounds of kill -9 / restart of Redis under ${viewers} viewers over 2 server nodes and a worker`);
const report = await runOutageScenario({ rounds, viewers, print: out });

const col = (f: RoundFigures) => [
  f.round,
  f.downMs,
  f.detectMs,
  f.unavailableWindowMs,
  f.recoveryMs,
  f.recoveredAfter.readyz,
  f.recoveredAfter.chat,
  f.recoveredAfter.claim,
  f.recoveredAfter.join,
  f.codes.ok ?? 0,
  f.codes.unavailable ?? 0,
  Object.entries(f.codes)
    .filter(([c]) => c !== 'ok' && c !== 'unavailable')
    .map(([c, n]) => `${c}:${n}`)
    .join(' ') || '-',
];
const head = ['round', 'down ms', '1st unavail ms', 'unavail window ms', 'recovery ms', 'readyz', 'chat', 'claim', 'join', 'ok', 'unavailable', 'other'];
const rows = [head, ...report.rounds.map((f) => col(f).map(String))];
const widths = head.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
out('');
for (const r of rows) out(r.map((c, i) => String(c).padStart(widths[i]!)).join('  '));
const rec = report.rounds.map((f) => f.recoveryMs).sort((a, b) => a - b);
if (rec.length) out(`\nrecovery: median ${rec[Math.floor(rec.length / 2)]} ms, worst ${rec[rec.length - 1]} ms (budget 5000 ms)`);
out(`answers to requests sent after a recovery: ${JSON.stringify(report.afterRecovery)}`);
out(`process exits: ${report.exits.length}, unhandled rejections / uncaught exceptions logged: ${report.unhandled.length}`);
for (const line of report.unhandled.slice(0, 5)) out(`  ${line}`);

const problems = [...report.problems];
for (const f of report.rounds) if (f.recoveryMs >= 5000) problems.push(`round ${f.round}: recovered in ${f.recoveryMs} ms (budget 5000 ms)`);
if (report.rounds.length < rounds) problems.push(`only ${report.rounds.length} of ${rounds} rounds ran`);
out(`\n${problems.length === 0 ? 'PASS' : 'FAIL'}: ${report.rounds.length} rounds in ${Math.round((Date.now() - started) / 1000)} s`);
for (const p of problems) out(`  - ${p}`);
process.exit(problems.length === 0 ? 0 : 1);
