import { hostname, cpus } from 'node:os';
import type { Benchmark } from '../lib/benchmark.js';
import { measureTarget, type TargetResult } from './measure.js';
import { fanoutUsage, parseFanoutOptions } from './options.js';
import { fanoutTable, fanoutVerdict } from './report.js';

/**
 * Chat fan-out in one big room: stickyroom against a bare Socket.IO server that only rebroadcasts,
 * under the same load, one after the other. See docs/benchmarks.md.
 */
export const fanout: Benchmark = {
  name: 'fanout',
  summary: 'one room, N viewer sockets, chat at R msg/s: stickyroom vs a bare Socket.IO rebroadcast',
  usage: fanoutUsage,
  async run(argv, log) {
    const opts = parseFanoutOptions(argv);
    const results: TargetResult[] = [];
    for (const name of opts.targets) results.push(await measureTarget(name, opts, log));
    const verdict = fanoutVerdict(results, opts);
    const title = `fanout: ${opts.viewers} viewers + ${opts.senders} senders in one room, ${opts.rate} msg/s, ${opts.generators} viewer generator process(es) + 1 sender process, window ${opts.window} s after ${opts.warmup} s warmup`;
    return {
      table: `${title}\n\n${fanoutTable(results)}`,
      notes: verdict.lines,
      json: {
        benchmark: 'fanout',
        at: new Date().toISOString(),
        machine: { host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
        options: opts,
        results,
        must: verdict.must,
        goal: verdict.goal,
        notes: verdict.lines,
      },
    };
  },
};
