import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { burstCeilingLines, room, type RoomResult } from '../../bench/room/index.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';

// on two nodes: the sample and the count-only sockets are spread over both, so chat and the burst cross the adapter
const SMALL = ['--nodes', '2', '--viewers', '200', '--seconds', '10', '--quantity', '20', '--sample', '40', '--chat', '20', '--reactions', '200', '--heartbeat', '4', '--wave', '50', '--quiet-wait', '0'];

describe('room benchmark', () => {
  it('runs a small room on two nodes: an exact claim burst by every viewer, chat and deliveries that add up per slice, no leaked Redis keys', async () => {
    const outcome = await room.run(SMALL, () => {});
    const { result: r } = outcome.json as { result: RoomResult };
    expect(r.connected).toMatchObject({ sockets: 200, sample: 40, failed: 0 });
    expect(r.disconnects).toBe(0);

    // the burst: 20 distinct codes, 180 sold_out, none missing, every code recorded once
    expect(r.burst).toMatchObject({ sent: 200, ok: 20, distinctCodes: 20, recordedCodes: 20, missing: 0, errors: { sold_out: 180 }, exact: true });
    expect(r.burst.countOnly).toMatchObject({ sent: 160, missing: 0 });

    // two 5 s slices, the burst in the second; every chat message acked and delivered to every sample socket
    expect(r.slices).toHaveLength(2);
    expect(r.slices.map((x) => x.burst)).toEqual([false, true]);
    expect(r.chat.errors).toEqual({});
    expect(r.chat.ok).toBe(r.chat.sent);
    expect(r.slices.reduce((a, x) => a + x.chatSent, 0)).toBe(r.chat.sent);
    for (const x of r.slices) {
      expect(x.chatSent).toBeGreaterThan(0);
      expect(x.chatReceived).toBe(x.chatSent * 40);
      expect(x.chatP99Ms).toBeGreaterThanOrEqual(x.chatP50Ms);
      // the part after the server's accept: the tick's wait at least, and never more than the whole
      expect(x.chatFromAcceptP99Ms).toBeGreaterThan(0);
      expect(x.chatFromAcceptP99Ms).toBeLessThanOrEqual(x.chatP99Ms);
      // deliveries count every socket's pushes: at least each chat message's batch frame on each socket
      expect(x.deliveries).toBeGreaterThan(0);
      expect(x.loopP99Ms).toBeGreaterThan(0);
      // the probe's timer is due every 10 ms: its longest wait in a slice is at least that
      expect(x.timerGapMaxMs).toBeGreaterThanOrEqual(9);
    }
    // reactions and heartbeats (each viewer beats every 4 s, spread: 2 or 3 times in 10 s) all accepted
    expect(r.reactions).toMatchObject({ ok: r.reactions.sent, errors: {} });
    // the demanded rates over the 10 s (owed by the time elapsed, so only a fraction may be left unsent)
    expect(r.chat.sent).toBeGreaterThanOrEqual(190);
    expect(r.chat.sent).toBeLessThanOrEqual(200);
    expect(r.reactions.taps).toBeGreaterThanOrEqual(1900);
    expect(r.reactions.taps).toBeLessThanOrEqual(2000);
    expect(r.heartbeats.errors).toEqual({});
    expect(r.heartbeats.ok).toBe(r.heartbeats.sent);
    expect(r.heartbeats.sent).toBeGreaterThanOrEqual(400);
    expect(r.heartbeats.sent).toBeLessThanOrEqual(600);

    expect(r.heap.sockets).toBe(200);
    expect(r.baselineHeap?.sockets).toBe(200);
    expect(outcome.table).toContain('chat p99 ms');
    expect(outcome.table).toContain('200 viewers on 2 nodes');
    expect(outcome.notes.some((l) => l.startsWith('MUST met'))).toBe(true);
    expect(outcome.notes.filter((l) => l.startsWith('GOAL'))).toHaveLength(3);

    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.keys(`${r.redisPrefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  }, 180_000);

  it('runs a refused burst (claims the schema refuses: the transport alone) with every claim answered and nothing recorded', async () => {
    const opts = ['--viewers', '60', '--seconds', '4', '--slice', '2', '--quantity', '5', '--sample', '10', '--chat', '10', '--reactions', '50', '--heartbeat', '2', '--wave', '30', '--quiet-wait', '0'];
    const outcome = await room.run([...opts, '--burst', 'refused', '--no-baseline'], () => {});
    const { result: r } = outcome.json as { result: RoomResult };
    expect(r.burstKind).toBe('refused');
    expect(r.burst).toMatchObject({ sent: 60, ok: 0, distinctCodes: 0, recordedCodes: 0, missing: 0, errors: { invalid_payload: 60 }, exact: true });
    expect(r.slices.map((x) => x.burst)).toEqual([false, true]);
    expect(r.slices.every((x) => x.chatSent > 0 && x.chatReceived === x.chatSent * 10)).toBe(true);
    expect(outcome.table).toContain('and every viewer sending a claim the schema refuses at 2 s');
    expect(outcome.notes).toContain(`MUST met: refused burst answered: {"invalid_payload":60} for 60 claims the schema refuses, 0 codes, 0 missing; refusal p99 ${Math.round(r.burst.latencyMs.p99).toLocaleString('en-US')} ms`);
  }, 120_000);

  it('sets the claim burst beside the refused burst of the same variant: the burst slice or the one before it, whichever is worse', () => {
    const slices = (p99: number[], burstAt: number) => p99.map((chatP99Ms, k) => ({ chatP99Ms, burst: k === burstAt }) as RoomResult['slices'][number]);
    const run = (variant: string, burstKind: 'claim' | 'refused', p99: number[]) => ({ variant, burstKind, slices: slices(p99, 2) }) as RoomResult;
    const lines = burstCeilingLines([run('base', 'claim', [900, 300, 1200, 2000]), run('base', 'refused', [900, 600, 400, 100]), run('default', 'claim', [100, 800, 700, 100])]);
    // the claim burst's worst (1,200) against the refused one's (600); default has no refused run to stand beside
    expect(lines).toEqual(['base: chat p99 around the burst (its slice and the one before) 1,200 ms with claims, 600 ms with the refused burst (the transport alone): 2.00x']);
  });
});
