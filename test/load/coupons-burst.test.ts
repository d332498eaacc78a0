import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewerClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';

const VIEWERS = 1000;
const STOCK = 100;
const WAVE = 100;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
}, 120_000);

describe('coupon claim burst', () => {
  it(`gives exactly ${STOCK} distinct codes to ${VIEWERS} viewers claiming a drop of ${STOCK} at the same moment`, async () => {
    const streamId = await t.createStream('Burst', 'brand-a', { start: true });
    const host = await t.streamer('burst-host');
    const viewers: ViewerClient[] = [];
    for (let i = 0; i < VIEWERS; i += WAVE) {
      const wave = await Promise.all(
        Array.from({ length: Math.min(WAVE, VIEWERS - i) }, async (_, j) => {
          const v = await t.viewer(`burst-${i + j}`, { ackTimeoutMs: 60_000 });
          await v.join(streamId);
          return v;
        }),
      );
      viewers.push(...wave);
    }
    const { drop } = await host.dropCoupon(streamId, { title: 'Flash', discount: { type: 'percent', value: 30 }, quantity: STOCK, durationSec: 600 });

    const latencies: number[] = [];
    const started = performance.now();
    const results = await Promise.allSettled(
      viewers.map(async (v) => {
        const t0 = performance.now();
        try {
          return await v.claimCoupon(drop.id, { retries: 0 });
        } finally {
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const elapsedMs = performance.now() - started;

    const codes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.code] : []));
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : []));
    expect(codes).toHaveLength(STOCK);
    expect(new Set(codes).size).toBe(STOCK);
    expect(refusals).toEqual(Array(VIEWERS - STOCK).fill('sold_out'));

    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    process.stdout.write(
      `coupon claim burst: ${VIEWERS} claims in ${elapsedMs.toFixed(0)} ms = ${((VIEWERS / elapsedMs) * 1000).toFixed(0)} claims/s; ` +
        `latency p50 ${p(0.5).toFixed(0)} ms, p99 ${p(0.99).toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms\n`,
    );
    const late = await t.viewer('burst-late');
    expect((await late.join(streamId)).drops).toEqual([]);
  }, 240_000);
});
