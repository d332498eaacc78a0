import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateChange } from '@stickyroom/sdk';
import { streamRoom } from '../../core/src/pusher.js';
import { endSession } from '../../server/src/io/session.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { openRaw } from '../helpers/raw-socket.js';

const CAP = 64 * 1024;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ MAX_SOCKET_BUFFER_BYTES: String(CAP) });
});
afterAll(async () => {
  await t?.close();
});

/** The server side of a user's socket on this node. */
function serverSocket(userId: string) {
  return [...t.app.io.of('/').sockets.values()].find((s) => s.data.user?.id === userId);
}

describe('a slow consumer', () => {
  it('is dropped once the bytes the node holds for it pass the cap; a reader in the same room keeps everything', async () => {
    const id = await t.createStream('slow', 'brand-a', { start: true });
    const slow = await openRaw(t.url, { auth: { token: await t.token('viewer', 'slow') } });
    slow.send(`421${JSON.stringify(['room:join', { streamId: id }])}`);
    expect(await slow.ack(1)).toMatchObject({ ok: true });
    const reader = await openRaw(t.url, { auth: { token: await t.token('viewer', 'reader') } });
    reader.send(`421${JSON.stringify(['room:join', { streamId: id }])}`);
    expect(await reader.ack(1)).toMatchObject({ ok: true });
    const heard = () => reader.messages.filter((m) => m.startsWith('42["moderation:notice"')).length;
    const server = serverSocket('slow')!;
    const gone = new Promise<string>((resolve) => server.on('disconnect', resolve));

    slow.reading(false);
    // pushes to the room, 1 KiB each: the kernel's socket buffers fill first, then the node's (engine.io
    // packets waiting for the transport, the TCP socket's write buffer) until they pass the cap
    const PUSHES = 50_000;
    const filler = 'x'.repeat(1024);
    let sent = 0;
    let dropped = false;
    void gone.then(() => (dropped = true));
    while (!dropped && sent < PUSHES) {
      // this node's sockets only: a broadcast through the adapter waits for its publish, and the replies of
      // many publishes can land in one turn as a burst larger than this test's small cap
      t.app.io.local.to(streamRoom(id)).emit('moderation:notice', { streamId: id, action: 'mute', reason: filler });
      sent++;
      // a few pushes per turn of the event loop (less than the cap), so a client that reads keeps up
      if (sent % 8 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await gone).toBe('server namespace disconnect');
    expect(sent).toBeLessThan(PUSHES);
    // its backlog was discarded: what the node still holds for it is the goodbye, not the pushes
    const held = (server.conn as unknown as { writeBuffer: { data?: unknown }[] }).writeBuffer.reduce((a, p) => a + (typeof p.data === 'string' ? p.data.length : 0), 0);
    expect(held).toBeLessThan(4 * 1024);

    // a client that reads again finds why it was dropped at the end of what it had been sent
    slow.reading(true);
    await slow.next((m) => m === '42["session:ended",{"reason":"slow_consumer"}]', 10_000);

    // the reader was never over the cap and got every push
    await expect.poll(heard, { timeout: 10_000 }).toBe(sent);
    expect(serverSocket('reader')?.connected).toBe(true);
    slow.close();
    reader.close();
  });

  it('is told slow_consumer by the SDK, which reconnects and rejoins', async () => {
    const id = await t.createStream('slow sdk', 'brand-a', { start: true });
    const viewer = await t.joinedViewer(id, 'sdk-slow', { reconnect: { minDelayMs: 50, maxDelayMs: 100 } });
    const changes: StateChange[] = [];
    viewer.on('state', (c) => changes.push(c));
    const rejoined = new Promise((resolve) => viewer.on('rejoined', resolve));
    endSession(serverSocket('sdk-slow')!, 'slow_consumer');
    await rejoined;
    expect(changes.map((c) => [c.state, c.reason])).toEqual([
      ['connecting', 'slow_consumer'],
      ['connected', undefined],
    ]);
  });
});
