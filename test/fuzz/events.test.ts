import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, requestSchemas } from '@stickyroom/sdk/protocol';
import { startTestApp, type TestApp } from '../helpers/app.js';

// Random payloads of every shape at every event: each gets an ack, never a crash, and changes nothing.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EVENT_RATE_LIMIT: '100000' });
});
afterAll(async () => {
  await t.close();
});

type RawSocket = { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<{ ok: boolean; error?: { code: string } }> } };

const hostile = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.string({ maxLength: 5000 }),
  fc.array(fc.integer(), { maxLength: 50 }),
  fc.dictionary(fc.constantFrom('streamId', 'text', 'quizId', 'lotteryId', 'dropId', 'option', '__proto__', 'constructor', 'count', 'kind'), fc.anything({ maxDepth: 2 })),
);

const PER_EVENT = 2000;
const BATCH = 250;
const SEED = 20261123;

describe('every event under random payloads', () => {
  it(`acks ${PER_EVENT} random payloads per event with a known error code and keeps serving`, async () => {
    const streamId = await t.createStream('fuzzed', 'brand-a', { start: true });
    const viewer = await t.viewer('fuzzer');
    const host = await t.streamer('fuzz-host');
    await viewer.join(streamId);
    await host.join(streamId);
    const before = await t.http('GET', `/api/streams/${streamId}`, { token: await t.token('viewer', 'x') });
    const events = Object.keys(requestSchemas).filter((e) => e !== 'room:leave');
    const codes = new Set<string>(ERROR_CODES);
    let acked = 0;

    // A fast path: the payloads come from fast-check with a seed per event, and go out in batches whose
    // acks are awaited together, alternately from a viewer and a streamer of the stream's brand.
    for (const [i, event] of events.entries()) {
      const payloads = fc.sample(hostile, { numRuns: PER_EVENT, seed: SEED + i });
      for (let from = 0; from < payloads.length; from += BATCH) {
        const batch = payloads.slice(from, from + BATCH);
        const acks = await Promise.all(
          batch.map((payload, j) => {
            const socket = ((from + j) % 2 ? host : viewer).socket as unknown as RawSocket;
            return socket.timeout(10_000).emitWithAck(event, payload);
          }),
        );
        for (const [j, res] of acks.entries()) {
          const where = `${event} #${from + j}: ${JSON.stringify(batch[j])?.slice(0, 200)}`;
          expect(typeof res, where).toBe('object');
          if (!res.ok) expect(codes, where).toContain(res.error!.code);
        }
        acked += acks.length;
      }
    }
    expect(acked).toBe(events.length * PER_EVENT);

    const after = await t.http('GET', `/api/streams/${streamId}`, { token: await t.token('viewer', 'x') });
    expect(after.body).toEqual(before.body);
    expect((await viewer.join(streamId)).stream.status).toBe('live');
  }, 180_000);

  it('closes a connection that sends more than the payload cap, and only that one', async () => {
    const big = await t.viewer('big-sender');
    const other = await t.viewer('bystander');
    const gone = new Promise((resolve) => big.socket.on('disconnect', resolve));
    const raw = big.socket as unknown as { emit(e: string, p: unknown): void };
    raw.emit('chat:send', { streamId: 'x', text: 'y'.repeat(t.config.MAX_PAYLOAD_BYTES + 1000) });
    await gone;
    expect(other.socket.connected).toBe(true);
  });
});
