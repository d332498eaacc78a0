import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewerClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * After a reconnect the SDK joins again and the ack carries the chat it missed; a message sent meanwhile may be
 * pushed to the socket before that ack is read (the server puts the socket in the room, then reads the history).
 * The SDK tells the missed messages first: a viewer never sees a sender's later message before the earlier ones.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

/** The internals of socket.io-client's socket that hold the callbacks of acks still awaited. */
interface AckTable {
  ids: number;
  /** `withError`: the callback of an ack with a timeout, which takes an error (null) before the answer. */
  acks: Record<number, ((...args: unknown[]) => void) & { withError?: boolean }>;
}

/** Holds the answer to the viewer's next `room:join` until `release()` is called; resolves once it is asked. */
function holdNextJoinAnswer(v: ViewerClient): Promise<{ release(): Promise<void> }> {
  return new Promise((resolve) => {
    const hook = (event: string): void => {
      if (event !== 'room:join') return;
      v.socket.offAnyOutgoing(hook);
      const table = v.socket as unknown as AckTable;
      // called from emit() right after the ack's callback was registered under the last id
      const id = table.ids - 1;
      const answer = table.acks[id]!;
      const arrived = new Promise<unknown[]>((got) => {
        const stand = Object.assign((...args: unknown[]) => got(args), { withError: answer.withError });
        table.acks[id] = stand;
      });
      resolve({ release: async () => answer(...(await arrived)) });
    };
    v.socket.onAnyOutgoing(hook);
  });
}

/** Resolves when a push carrying `text` reaches the viewer's socket (before the SDK tells the app anything). */
function pushedToSocket(v: ViewerClient, text: string): Promise<void> {
  return new Promise((resolve) => {
    const has = (messages: { text: string }[]) => messages.some((m) => m.text === text);
    v.socket.on('chat:batch', (b: { messages: { text: string }[] }) => has(b.messages) && resolve());
    v.socket.on('chat:message', (m: { text: string }) => has([m]) && resolve());
  });
}

describe('chat after a reconnect', () => {
  it('tells the messages missed while away before a message pushed while the rejoin was answered', async () => {
    const streamId = await t.createStream('In order', 'brand-a', { start: true });
    const sender = await t.joinedViewer(streamId, 'order-sender');
    const v = await t.joinedViewer(streamId, 'order-viewer', { reconnect: { minDelayMs: 300, maxDelayMs: 300 } });
    const told: string[] = [];
    v.on('chat:message', (m) => {
      if (m.streamId === streamId) told.push(m.text);
    });

    const held = holdNextJoinAnswer(v);
    const away = new Promise((resolve) => v.socket.once('disconnect', resolve));
    v.socket.io.engine.close();
    await away;
    for (const text of ['missed 1', 'missed 2 <script>x</script>', 'missed 3']) await sender.chat(streamId, text);

    // back: its rejoin is asked, and a later message reaches the socket before the answer is read
    const rejoin = await held;
    const pushed = pushedToSocket(v, 'after');
    await sender.chat(streamId, 'after');
    await pushed;
    const rejoined = new Promise((resolve) => v.on('rejoined', resolve));
    await rejoin.release();
    await rejoined;

    expect(told).toEqual(['missed 1', 'missed 2 <script>x</script>', 'missed 3', 'after']);
  });
});
