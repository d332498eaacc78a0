import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * A node reads WebSocket connections for at most SOCKET_READ_BUDGET_MS per turn of its event loop
 * (server/src/io/read-budget.ts). A claim burst read in many small turns must stay exact and answer everyone.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SOCKET_READ_BUDGET_MS: '0.01' });
});
afterAll(async () => {
  await t.close();
});

async function metric(name: string): Promise<number> {
  const text = await t.app.ctx.metrics.registry.getSingleMetricAsString(name);
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : NaN;
}

describe('a node with a small read budget', () => {
  it('answers a claim burst of 40 viewers at once exactly, reading it over several turns', async () => {
    const streamId = await t.createStream('Burst', 'brand-a', { start: true });
    const host = await t.streamer('host-burst', 'brand-a');
    await host.join(streamId);
    const { drop } = await host.dropCoupon(streamId, { title: '5 only', discount: { type: 'percent', value: 20 }, quantity: 5, durationSec: 600 });
    const viewers = await Promise.all(Array.from({ length: 40 }, (_, i) => t.joinedViewer(streamId, `burst-${i}`)));
    const chatter = viewers[0]!;
    const heard = viewers[39]!.once('chat:message', (m) => m.text === 'still talking <script>1</script>');
    const pausesBefore = await metric('stickyroom_socket_read_pauses_total');

    const [results] = await Promise.all([Promise.allSettled(viewers.map((v) => v.claimCoupon(drop.id))), chatter.chat(streamId, 'still talking <script>1</script>')]);

    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.code] : []));
    expect(new Set(won).size).toBe(5);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'sold_out' });
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(35);
    await heard;
    expect(await metric('stickyroom_socket_read_pauses_total')).toBeGreaterThan(pausesBefore);
    expect(await metric('stickyroom_socket_reads_waiting')).toBe(0);
  });
});
