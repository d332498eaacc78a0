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

describe('every event under random payloads', () => {
  it('acks each one with a known error code and keeps serving', async () => {
    const streamId = await t.createStream('fuzzed', 'brand-a', { start: true });
    const viewer = await t.viewer('fuzzer');
    const host = await t.streamer('fuzz-host');
    await viewer.join(streamId);
    await host.join(streamId);
    const before = await t.http('GET', `/api/streams/${streamId}`, { token: await t.token('viewer', 'x') });
    const events = Object.keys(requestSchemas).filter((e) => e !== 'room:leave');
    const codes = new Set<string>(ERROR_CODES);

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...events), hostile, fc.boolean(), async (event, payload, asStaff) => {
        const socket = (asStaff ? host : viewer).socket as unknown as RawSocket;
        const res = await socket.timeout(5000).emitWithAck(event, payload);
        expect(typeof res).toBe('object');
        if (!res.ok) expect(codes).toContain(res.error!.code);
      }),
      { numRuns: 400, seed: 20261123 },
    );

    const after = await t.http('GET', `/api/streams/${streamId}`, { token: await t.token('viewer', 'x') });
    expect(after.body).toEqual(before.body);
    expect((await viewer.join(streamId)).stream.status).toBe('live');
  }, 120_000);

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
