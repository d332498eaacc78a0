import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, StreamerClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** Sends `n` messages as the streamer (no chat limits), keeping under the per-connection event budget. */
async function sendMany(t: TestApp, host: StreamerClient, streamId: string, n: number, from = 1): Promise<ChatMessage[]> {
  const out: ChatMessage[] = [];
  for (let i = from; i < from + n; i++) {
    if (i % 20 === 0) t.clock.advance(1000);
    out.push((await host.chat(streamId, `m${i}`)).message);
  }
  return out;
}

describe('chat history', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CHAT_HISTORY: '50', EVENT_RATE_LIMIT: '100000' });
  });
  afterAll(async () => {
    await t.close();
  });

  async function streamWith(n: number): Promise<{ id: string; host: StreamerClient; sent: ChatMessage[] }> {
    const id = await t.createStream('History', 'brand-a', { start: true });
    const host = await t.streamer('host-brand-a');
    await host.join(id);
    return { id, host, sent: await sendMany(t, host, id, n) };
  }

  it('gives a joining viewer the last 50 messages, oldest first', async () => {
    const { id, sent } = await streamWith(60);
    const v = await t.viewer('newcomer');
    const { chat, chatGap } = await v.join(id);
    expect(chat.map((m) => m.text)).toEqual(sent.slice(-50).map((m) => m.text));
    expect(chat).toEqual(sent.slice(-50));
    expect(chatGap).toBeUndefined();
  });

  it('gives exactly the messages after lastMessageId, deleted ones left out', async () => {
    const { id, host, sent } = await streamWith(20);
    await host.deleteMessage(id, sent[12]!.id);
    const v = await t.viewer('returning');
    const data = await v.request('room:join', { streamId: id, lastMessageId: sent[9]!.id });
    expect(data.chat.map((m) => m.text)).toEqual(['m11', 'm12', 'm14', 'm15', 'm16', 'm17', 'm18', 'm19', 'm20']);
    expect(data.chatGap).toBeUndefined();
    const upToDate = await v.request('room:join', { streamId: id, lastMessageId: sent[19]!.id });
    expect(upToDate.chat).toEqual([]);
  });

  it('says chatGap and gives the whole hot history when lastMessageId fell out of it', async () => {
    const { id, sent } = await streamWith(60);
    const v = await t.viewer('long-gone');
    const gone = await v.request('room:join', { streamId: id, lastMessageId: sent[2]!.id });
    expect(gone.chatGap).toBe(true);
    expect(gone.chat).toEqual(sent.slice(-50));
    // the oldest message still hot is m11: after m10 nothing is missing
    const edge = await v.request('room:join', { streamId: id, lastMessageId: sent[9]!.id });
    expect(edge.chatGap).toBeUndefined();
    expect(edge.chat).toEqual(sent.slice(10));
    for (const bogus of ['garbage', '0', '99999']) {
      const res = await v.request('room:join', { streamId: id, lastMessageId: bogus });
      expect(res.chatGap, bogus).toBe(true);
      expect(res.chat, bogus).toHaveLength(50);
    }
  });

  it('lets a viewer who reconnects catch up through the SDK with no gap and no duplicate', async () => {
    const id = await t.createStream('Reconnect', 'brand-a', { start: true });
    const host = await t.streamer('host-brand-a');
    await host.join(id);
    const v = await t.viewer('commuter');
    await v.join(id);
    const got: string[] = [];
    v.on('chat:message', (m) => got.push(m.text));
    const first = v.once('chat:message', (m) => m.text === 'm3');
    await sendMany(t, host, id, 3);
    await first;
    v.socket.disconnect(); // a tunnel
    await sendMany(t, host, id, 4, 4);
    const rejoined = new Promise<void>((resolve) => v.on('rejoined', () => resolve()));
    v.socket.connect();
    await rejoined;
    const live = v.once('chat:message', (m) => m.text === 'm8');
    await host.chat(id, 'm8');
    await live;
    expect(got).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
  });
});

describe('chat fan-out', () => {
  it('sends the messages of one tick to each viewer as one chat:batch frame', async () => {
    const t = await startTestApp({ CHAT_TICK_MS: '200' });
    try {
      const id = await t.createStream();
      const host = await t.streamer('host-brand-a');
      await host.join(id);
      const v = await t.viewer('watcher');
      await v.join(id);
      const frames: ChatMessage[][] = [];
      v.socket.on('chat:batch', (b) => frames.push(b.messages));
      const all = new Promise<void>((resolve) => v.on('chat:message', (m) => m.text === 'burst 4' && resolve()));
      const sent = await Promise.all([0, 1, 2, 3, 4].map((i) => host.chat(id, `burst ${i}`)));
      await all;
      expect(frames).toHaveLength(1);
      expect(frames[0]).toEqual(sent.map((s) => s.message));
    } finally {
      await t.close();
    }
  });

  it('sends each message alone as chat:message when CHAT_TICK_MS is 0', async () => {
    const t = await startTestApp({ CHAT_TICK_MS: '0' });
    try {
      const id = await t.createStream();
      const host = await t.streamer('host-brand-a');
      await host.join(id);
      const v = await t.viewer('watcher');
      await v.join(id);
      const frames: string[] = [];
      v.socket.onAny((event: string) => frames.push(event));
      const last = v.once('chat:message', (m) => m.text === 'solo 2');
      for (const i of [0, 1, 2]) await host.chat(id, `solo ${i}`);
      await last;
      expect(frames.filter((e) => e.startsWith('chat:'))).toEqual(['chat:message', 'chat:message', 'chat:message']);
    } finally {
      await t.close();
    }
  });
});
