import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { HotHistogram } from '../../core/src/metrics.js';

describe('HotHistogram', () => {
  it("writes what prom-client's Histogram writes for the same observations", async () => {
    const buckets = [0.001, 0.01, 0.1, 1];
    const observations: [string, string, number][] = [
      ['cmd', 'get', 0.0005],
      ['cmd', 'get', 0.001],
      ['cmd', 'get', 0.05],
      ['cmd', 'evalsha', 3],
      ['bull', 'evalsha', 0.01],
      ['cmd', 'get', 0.0099],
    ];
    const mine = new Registry();
    const hot = new HotHistogram('x_seconds', 'help', ['client', 'command'], buckets, mine);
    const theirs = new Registry();
    const reference = new Histogram({ name: 'x_seconds', help: 'help', labelNames: ['client', 'command'], buckets, registers: [theirs] });
    for (const [client, command, v] of observations) {
      hot.series(client, command)(v);
      reference.observe({ client, command }, v);
    }
    expect(await mine.metrics()).toBe(await theirs.metrics());
    expect(await Registry.merge([mine]).metrics()).toBe(await theirs.metrics());
    expect((await mine.getMetricsAsJSON())[0]).toMatchObject({ name: 'x_seconds', type: 'histogram', aggregator: 'sum' });
  });
});
