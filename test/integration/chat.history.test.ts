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
    // every message fanned out before a test's viewer joins: one joining within a chat tick of the last send
    // would hear that tick's batch live, older messages than its join's history among them
    const fannedOut = n > 0 ? host.once('chat:message', (m) => m.text === `m${n}`) : undefined;
    const sent = await sendMany(t, host, id, n);
    await fannedOut;
    return { id, host, sent };
  }

  it('gives a joining viewer the newest 20 messages (CHAT_JOIN_HISTORY), oldest first', async () => {
    const { id, sent } = await streamWith(60);
    const v = await t.viewer('newcomer');
    const { chat, chatGap } = await v.join(id);
    expect(chat.map((m) => m.text)).toEqual(sent.slice(-20).map((m) => m.text));
    expect(chat).toEqual(sent.slice(-20));
    expect(chatGap).toBeUndefined();
  });

  it('pages back through the hot history with chat:history: oldest first, no gap, no duplicate, deleted ones left out', async () => {
    const { id, host, sent } = await streamWith(60); // the hot history keeps m11..m60
    await host.deleteMessage(id, sent[29]!.id); // m30
    const v = await t.viewer('scroller');
    const { chat } = await v.join(id);
    const seen = [...chat];
    const p1 = await v.chatHistory(id, { beforeId: chat[0]!.id, limit: 15 });
    expect(p1.messages.map((m) => m.text)).toEqual(['m25', 'm26', 'm27', 'm28', 'm29', 'm31', 'm32', 'm33', 'm34', 'm35', 'm36', 'm37', 'm38', 'm39', 'm40']);
    expect(p1.more).toBe(true);
    // chat going on meanwhile does not move the pages
    await host.chat(id, 'm61');
    const p2 = await v.chatHistory(id, { beforeId: p1.messages[0]!.id, limit: 15 });
    expect(p2.messages.map((m) => m.text)).toEqual(['m10', 'm11', 'm12', 'm13', 'm14', 'm15', 'm16', 'm17', 'm18', 'm19', 'm20', 'm21', 'm22', 'm23', 'm24'].slice(1));
    // the oldest hot message (m11) is on this page: nothing older remains
    expect(p2.more).toBe(false);
    seen.unshift(...p1.messages);
    seen.unshift(...p2.messages);
    expect(seen).toEqual(sent.slice(10).filter((m) => m.text !== 'm30'));
    expect(await v.chatHistory(id, { beforeId: p2.messages[0]!.id })).toEqual({ messages: [], more: false });
    // without beforeId: the newest, 50 by default: the whole hot history here (m11..m61 but the deleted m30)
    const newest = await v.chatHistory(id);
    expect(newest.messages).toEqual([...sent.slice(10).filter((m) => m.text !== 'm30'), expect.objectContaining({ text: 'm61' })]);
    expect(newest.messages.at(-1)!.text).toBe('m61');
    expect(newest.more).toBe(false);
    const one = await v.chatHistory(id, { limit: 1 });
    expect(one).toEqual({ messages: [newest.messages.at(-1)], more: true });
  });

  it('refuses chat:history with bad input, before room:join, after leaving, for an unknown stream and for a banned viewer', async () => {
    const { id, host } = await streamWith(3);
    const v = await t.viewer('pager');
    await expect(v.chatHistory(id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(v.chatHistory('no-such-stream')).rejects.toMatchObject({ code: 'not_found' });
    await v.join(id);
    for (const bad of [{ limit: 0 }, { limit: 51 }, { limit: 1.5 }, { beforeId: 'abc' }, { beforeId: '0' }, { beforeId: '-1' }, { beforeId: '1'.repeat(16) }]) {
      await expect(v.chatHistory(id, bad as { limit?: number }), JSON.stringify(bad)).rejects.toMatchObject({ code: 'invalid_payload' });
    }
    await expect(v.request('chat:history', { streamId: id, extra: 1 } as never)).rejects.toMatchObject({ code: 'invalid_payload' });
    expect((await v.chatHistory(id, { beforeId: '999999999' })).messages.map((m) => m.text)).toEqual(['m1', 'm2', 'm3']);
    await v.leave(id);
    await expect(v.chatHistory(id)).rejects.toMatchObject({ code: 'forbidden' });
    const banned = await t.joinedViewer(id, 'pager-banned');
    await host.ban(id, 'pager-banned');
    await expect.poll(() => banned.chatHistory(id).then(() => 'ok', (e: { code: string }) => e.code), { interval: 250 }).toBe('forbidden');
  });

  it('answers rate_limited past 5 chat:history pages a second per user, with retryAfterMs', async () => {
    const { id } = await streamWith(3);
    const v = await t.joinedViewer(id, 'page-flooder');
    const second = await t.joinedViewer(id, 'page-flooder'); // a second socket of the same user shares the limit
    const answers = await Promise.allSettled([...Array.from({ length: 4 }, () => v.chatHistory(id)), ...Array.from({ length: 4 }, () => second.chatHistory(id))]);
    const refused = answers.filter((a) => a.status === 'rejected').map((a) => (a as PromiseRejectedResult).reason as { code: string; retryAfterMs: number });
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(5);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.code).toBe('rate_limited');
      expect(r.retryAfterMs).toBeGreaterThan(0);
    }
  });

  it('lets the SDK load earlier messages with olderMessages until the start of the hot history', async () => {
    const { id, host, sent } = await streamWith(60);
    const v = await t.viewer('sdk-scroller');
    const { chat } = await v.join(id);
    const live: string[] = [];
    v.on('chat:message', (m) => live.push(m.text));
    let all = [...chat];
    for (;;) {
      const page = await v.olderMessages(id, { limit: 12 });
      all = [...page.messages, ...all];
      if (!page.more) break;
    }
    expect(all).toEqual(sent.slice(10));
    expect(await v.olderMessages(id)).toEqual({ messages: [], more: false });
    // paged messages are returned, not told as new ones
    const next = v.once('chat:message', (m) => m.text === 'after');
    await host.chat(id, 'after');
    await next;
    expect(live).toEqual(['after']);
  });

  it('lets the SDK page a chat that was empty at the join from its first live message', async () => {
    const { id, host } = await streamWith(0);
    const v = await t.viewer('sdk-early');
    expect((await v.join(id)).chat).toEqual([]);
    expect(await v.olderMessages(id)).toEqual({ messages: [], more: false });
    const got = v.once('chat:message', (m) => m.text === 'm3');
    await sendMany(t, host, id, 3);
    await got;
    expect(await v.olderMessages(id)).toEqual({ messages: [], more: false });
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
