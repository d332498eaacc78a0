import { hostname, cpus } from 'node:os';
import type { Benchmark } from '../lib/benchmark.js';
import { compareAdapters } from './adapters.js';
import { measureTarget, sampleEvery, type TargetResult } from './measure.js';
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
    if (opts.nodes > 1) {
      const c = await compareAdapters(opts, log);
      const title = `fanout (adapters): ${opts.nodes} server nodes, ${opts.rooms} rooms x (${opts['room-viewers']} viewers + 1 sender), ${opts['room-rate']} msg/s per room, window ${opts.window} s after ${opts.warmup} s warmup, ${opts.rounds} round(s)`;
      return {
        table: `${title}\n\n${c.table}`,
        notes: c.notes,
        json: {
          benchmark: 'fanout-adapters',
          at: new Date().toISOString(),
          machine: { host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
          options: opts,
          results: c.results,
          ratios: c.ratios,
          notes: c.notes,
        },
      };
    }
    const results: TargetResult[] = [];
    for (const name of opts.targets) results.push(await measureTarget(name, opts, log));
    const verdict = fanoutVerdict(results, opts);
    const title = `fanout: ${opts.viewers} viewers + ${opts.senders} senders in one room, ${opts.rate} msg/s, ${opts.generators} viewer generator process(es) + 1 sender process, a sample of about ${Math.ceil(opts.viewers / sampleEvery(opts.viewers, opts.sample))} decoding, window ${opts.window} s after ${opts.warmup} s warmup`;
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
