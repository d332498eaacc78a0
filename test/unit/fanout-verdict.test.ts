import { describe, expect, it } from 'vitest';
import type { TargetResult } from '../../bench/fanout/measure.js';
import { FanoutOptions } from '../../bench/fanout/options.js';
import { fanoutVerdict } from '../../bench/fanout/report.js';

/** A run of one target with `deliveries`/s at `p99Ms`, on a quiet machine with idle generators. */
function run(name: TargetResult['name'], deliveries: number, p99Ms: number): TargetResult {
  return {
    name,
    settings: {},
    connections: { viewers: 0, decoded: 0, senders: 0, failed: 0, errors: {}, seconds: 1 },
    deliveries: { perSec: deliveries, demandedPerSec: 500_000, framesPerSec: 0, messagesPerFrame: 1, completeness: 1, total: 0 },
    latencyMs: { p50: p99Ms / 2, p90: p99Ms, p99: p99Ms, max: p99Ms, mean: p99Ms / 2 },
    sent: { perSec: 50, total: 0, ackOk: 0, ackErrors: {}, ackP50Ms: 1, ackP99Ms: 1 },
    server: { cpu: 0.5, elu: 0.5, rssEnd: 0, heapUsedEnd: 0, heapIdle: 0, heapConnected: 0, rssIdle: 0, rssConnected: 0, heapPerConnection: 10_000, rssPerConnection: 0, heapAfterGc: true },
    generators: { cpu: [0.2], elu: [0.2] },
    redisCpu: 0,
    machineBusy: 0,
    machineBusyBefore: 0,
    disconnects: 0,
  };
}

describe('fanout verdict', () => {
  const results = [run('baseline', 100_000, 5_000), run('stickyroom', 250_000, 400)];

  it('holds a 5,000-viewer room to 2x the baseline deliveries, and the 10,000-viewer room of issue 11 to 3x', () => {
    const at5k = fanoutVerdict(results, FanoutOptions.parse({}));
    expect(at5k.goal).toBe(true);
    expect(at5k.lines).toContain('GOAL met: deliveries/s 2.50x baseline (>= 2), stickyroom p99 400 ms (<= 500)');

    const at10k = fanoutVerdict(results, FanoutOptions.parse({ viewers: 10_000 }));
    expect(at10k.goal).toBe(false);
    expect(at10k.lines).toContain('GOAL MISSED: deliveries/s 2.50x baseline (>= 3), stickyroom p99 400 ms (<= 500)');
  });
});
