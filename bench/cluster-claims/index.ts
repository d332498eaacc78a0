import { cpus, hostname } from 'node:os';
import { createLogger } from '../../core/src/logger.js';
import { couponClaim, type ClaimArgs } from '../../core/src/coupons/coupons.scripts.js';
import { CouponStore } from '../../core/src/coupons/coupons.store.js';
import { createRedis } from '../../core/src/redis/client.js';
import { eventGate } from '../../core/src/redis/event-gate.js';
import { Keys } from '../../core/src/redis/keys.js';
import { StreamStore } from '../../core/src/streams/streams.store.js';
import { RedisCluster } from '../../test/helpers/redis-cluster.js';
import type { Benchmark } from '../lib/benchmark.js';
import { fmt, formatTable } from '../lib/table.js';

interface Options {
  claims: number;
  concurrency: number;
  rounds: number;
  waitMs: number;
}

function parse(argv: readonly string[]): Options {
  const opts: Options = { claims: 5000, concurrency: 32, rounds: 3, waitMs: 500 };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if (flag === '--claims') opts.claims = value;
    else if (flag === '--concurrency') opts.concurrency = value;
    else if (flag === '--rounds') opts.rounds = value;
    else if (flag === '--wait-ms') opts.waitMs = value;
    else throw new Error(`unknown option ${flag}`);
  }
  if (!(opts.claims > 0 && opts.concurrency > 0 && opts.rounds > 0 && opts.waitMs >= 10)) throw new Error('--claims, --concurrency, --rounds > 0; --wait-ms >= 10');
  return opts;
}

/**
 * What `WAIT 1` costs a claim on a Redis Cluster: a local cluster (3 primaries, 3 replicas) and one hot drop
 * (every claim in one slot, as in a flash sale), claimed through the coupon store with and without the
 * replica acknowledgement, in alternating rounds of the same run so both see the same machine load.
 */
export const clusterClaims: Benchmark = {
  name: 'cluster-claims',
  summary: 'coupon claims/s on a local Redis Cluster: acknowledged at once, after WAIT 1 per claim, after WAIT 1 per group',
  usage: () =>
    '  --claims N       claims per round and mode (5000)\n  --concurrency N  claims in flight (32)\n  --rounds N       alternating rounds per mode (3)\n  --wait-ms N      WAIT timeout (500)',
  async run(argv, log) {
    const opts = parse(argv);
    log('starting a local Redis Cluster (3 primaries, 3 replicas)');
    const cluster = await RedisCluster.start();
    const nodes = cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
    const redis = createRedis({ cluster: nodes, log: createLogger('silent', 'bench'), name: 'bench-claims' });
    const keys = new Keys('bench:');
    const rows: { mode: string; round: number; perSec: number; meanMs: number; p99Ms: number }[] = [];
    try {
      const streamId = 'bench-stream';
      const streams = new StreamStore(redis, keys);
      const now = Date.now();
      await streams.create({ id: streamId, title: 'bench', brandId: 'bench-brand', status: 'scheduled', createdBy: 'bench', createdAt: now });
      await streams.transition(streamId, 'live', now);
      const plain = new CouponStore(redis, keys);
      const grouped = new CouponStore(redis, keys, opts.waitMs);
      /** The first design, kept here for the comparison: one [script, WAIT] pipeline per claim, not grouped. */
      const perClaim = async (a: ClaimArgs) => {
        const batch = redis.pipeline();
        couponClaim.queue(batch, keys, a);
        batch.wait(1, opts.waitMs);
        const [[err, raw], [, replicas]] = (await batch.exec()) as [[Error | null, unknown], [Error | null, unknown]];
        if (err) throw err;
        if (replicas !== 1) throw new Error('no replica');
        return couponClaim.reply(raw);
      };
      const modes: { mode: string; claim: (a: ClaimArgs) => Promise<unknown> }[] = [
        { mode: 'ack at once', claim: (a) => plain.claim(a) },
        { mode: `WAIT 1 per claim`, claim: perClaim },
        { mode: `WAIT 1, grouped`, claim: (a) => grouped.claim(a) },
      ];
      let drops = 0;
      for (let round = 1; round <= opts.rounds; round++) {
        for (const { mode, claim } of round % 2 ? modes : [...modes].reverse()) {
          const dropId = `${streamId}.drop${++drops}`;
          await plain.create({
            id: dropId, streamId, brandId: 'bench-brand', title: 'bench', discount: { type: 'percent', value: 10 },
            quantity: opts.claims, remaining: opts.claims, perViewer: 1, endsAt: now + 3_600_000, createdAt: now, status: 'open',
          });
          const latencies: number[] = [];
          let next = 0;
          const t0 = performance.now();
          await Promise.all(
            Array.from({ length: opts.concurrency }, async () => {
              for (let i = next++; i < opts.claims; i = next++) {
                const viewerId = `v${i}`;
                const s = performance.now();
                await claim({
                  streamId, dropId, viewerId, opId: `op${i}`, code: `C${drops}-${i}`, now: Date.now(),
                  stockIntervalMs: 500, refusalReplayMs: 15_000, gate: eventGate(keys, 1_000_000, streamId, viewerId),
                });
                latencies.push(performance.now() - s);
              }
            }),
          );
          const seconds = (performance.now() - t0) / 1000;
          latencies.sort((a, b) => a - b);
          const row = {
            mode, round, perSec: opts.claims / seconds,
            meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
            p99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
          };
          rows.push(row);
          log(`${mode}, round ${round}: ${fmt.int(row.perSec)} claims/s, mean ${fmt.fixed(row.meanMs, 2)} ms`);
        }
      }
    } finally {
      await redis.quit().catch(() => redis.disconnect());
      await cluster.remove();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const summary = [...new Set(rows.map((r) => r.mode))].map((mode) => {
      const mine = rows.filter((r) => r.mode === mode);
      return { mode, perSec: median(mine.map((r) => r.perSec)), meanMs: median(mine.map((r) => r.meanMs)), p99Ms: median(mine.map((r) => r.p99Ms)) };
    });
    const [ackAtOnce, perClaimWait, groupedWait] = summary as [(typeof summary)[0], (typeof summary)[0], (typeof summary)[0]];
    const table = formatTable(
      ['mode', 'claims/s (median)', 'mean ms', 'p99 ms'],
      summary.map((s) => [s.mode, fmt.int(s.perSec), fmt.fixed(s.meanMs, 2), fmt.fixed(s.p99Ms, 2)]),
    );
    return {
      table,
      notes: [
        `claims/s kept with WAIT 1: ${fmt.pct(perClaimWait.perSec / ackAtOnce.perSec)} one per claim, ${fmt.pct(groupedWait.perSec / ackAtOnce.perSec)} grouped (${opts.claims} claims per round, ${opts.concurrency} in flight, ${opts.rounds} alternating rounds, one hot slot, WAIT timeout ${opts.waitMs} ms)`,
        `machine: ${cpus().length} cores, ${hostname()}; loaded by whatever else runs: compare the two modes of one run only`,
      ],
      json: { options: opts, rows, summary },
    };
  },
};
