import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewerClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';

/**
 * The server puts a joining socket in the room, then reads the history for the ack, so a message sent meanwhile
 * may be pushed to the socket before the ack is read. After a reconnect the SDK joins again and the ack carries
 * the chat it missed: the SDK tells the missed messages first. On a first join the app reads the history from
 * the ack: a newer message is told after the join resolved. Either way a viewer never sees a sender's later
 * message before the earlier ones.
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

/**
 * Holds the answer to the viewer's next `room:join` until `release()` is called; resolves once it is asked.
 * `answered` resolves when the server's answer has reached the socket (and is held).
 */
function holdNextJoinAnswer(v: ViewerClient): Promise<{ release(): Promise<void>; answered: Promise<unknown> }> {
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
      resolve({ release: async () => answer(...(await arrived)), answered: arrived });
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

describe('chat pushed while a join is answered', () => {
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

  it('tells a message pushed before the first join was answered after the join resolved, once', async () => {
    const streamId = await t.createStream('In order at once', 'brand-a', { start: true });
    const sender = await t.joinedViewer(streamId, 'first-sender');
    await sender.chat(streamId, 'earlier');
    const v = await t.viewer('first-viewer');
    const told: string[] = [];
    v.on('chat:message', (m) => {
      if (m.streamId === streamId) told.push(m.text);
    });

    // the server has answered (the socket is in the room), and a newer message reaches the socket first
    const held = holdNextJoinAnswer(v);
    const joining = v.join(streamId);
    const join = await held;
    await join.answered;
    const pushed = pushedToSocket(v, 'newer <script>x</script>');
    const newerTold = v.once('chat:message', (m) => m.streamId === streamId);
    await sender.chat(streamId, 'newer <script>x</script>');
    await pushed;
    await join.release();
    const data = await joining;
    told.push(`joined with ${data.chat.map((m) => m.text).join(', ')}`);
    await newerTold;

    expect(told).toEqual(['joined with earlier', 'newer <script>x</script>']);
  });
});
