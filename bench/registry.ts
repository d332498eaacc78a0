import type { Benchmark } from './lib/benchmark.js';

/**
 * Every benchmark `npm run bench` knows, by name. Adding one is one line here (a lazy import, so running
 * one benchmark never loads the others).
 */
export const benchmarks: Record<string, () => Promise<Benchmark>> = {
  fanout: async () => (await import('./fanout/index.js')).fanout,
  rollup: async () => (await import('./rollup/index.js')).rollup,
  summary: async () => (await import('./summary/index.js')).summary,
  claims: async () => (await import('./claims/index.js')).claims,
  join: async () => (await import('./join/index.js')).join,
  room: async () => (await import('./room/index.js')).room,
  'cluster-claims': async () => (await import('./cluster-claims/index.js')).clusterClaims,
};
