import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, ViewerClient } from '@stickyroom/sdk';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { streamTotals, viewerActivity } from '../../core/src/activity/activity.store.js';
import type { DomainFeature } from '../../core/src/feature.js';
import { domainFeatures } from '../../core/src/features.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

type RawSocket = { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<any> } };
const raw = (c: ViewerClient) => (c.socket as unknown as RawSocket).timeout(5000);

describe('chat:send', () => {
  it('delivers a message to everyone in the room, the sender included', async () => {
    const id = await t.createStream('Live', 'brand-a', { start: true });
    const alice = await t.joinedViewer(id, 'alice', { name: 'Alice' });
    const bob = await t.joinedViewer(id, 'bob');
    const atBob = bob.once('chat:message', (m) => m.text === 'hi bob');
    const atAlice = alice.once('chat:message', (m) => m.text === 'hi bob');
    const { message } = await alice.chat(id, 'hi bob');
    expect(message).toMatchObject({ streamId: id, userId: 'alice', name: 'Alice', text: 'hi bob', role: 'viewer', at: t.clock.now() });
    expect(await atBob).toEqual(message);
    expect(await atAlice).toEqual(message);
  });

  it('trims the text and removes control characters', async () => {
    const id = await t.createStream();
    const v = await t.joinedViewer(id, 'tidy');
    const { message } = await v.chat(id, '  he\u0000l\u200Blo\u0007  ');
    expect(message.text).toBe('hello');
  });

  it('refuses text that is empty, too long or of the wrong type with invalid_payload and stores nothing', async () => {
    const id = await t.createStream();
    const v = await t.joinedViewer(id, 'fuzzer');
    const bad: unknown[] = [
      { streamId: id, text: 'x'.repeat(10_000) },
      { streamId: id, text: 'y'.repeat(501) },
      { streamId: id, text: '' },
      { streamId: id, text: ' \u0000\u200B ' },
      { streamId: id, text: 42 },
      { streamId: id, text: ['hi'] },
      { streamId: id },
      { text: 'hi' },
      { streamId: id, text: 'hi', userId: 'someone-else' },
      'hi',
      null,
    ];
    for (const payload of bad) {
      const res = await raw(v).emitWithAck('chat:send', payload);
      expect(res, JSON.stringify(payload)?.slice(0, 60)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    expect((await raw(v).emitWithAck('chat:send')).error.code).toBe('invalid_payload');
    expect(await t.chatTexts(id)).toEqual([]);
    const { message } = await v.chat(id, 'z'.repeat(500));
    expect(message.text).toHaveLength(500);
  });

  it('refuses a client that has not joined the stream', async () => {
    const id = await t.createStream();
    const v = await t.viewer('outsider');
    await expect(v.chat(id, 'let me in')).rejects.toMatchObject({ code: 'forbidden' });
    expect(await t.chatTexts(id)).toEqual([]);
  });

  it('works in a scheduled stream and answers closed once the stream ended', async () => {
    const id = await t.createStream();
    const v = await t.joinedViewer(id, 'early');
    await v.chat(id, 'waiting room hello');
    const host = await t.streamer('host-brand-a');
    await host.start(id);
    await v.chat(id, 'we are live');
    await host.end(id);
    await expect(v.chat(id, 'too late')).rejects.toMatchObject({ code: 'closed' });
    expect(await t.chatTexts(id)).toEqual(['waiting room hello', 'we are live']);
  });

  it('lets the streamer and moderators chat, with their role on the message', async () => {
    const id = await t.createStream();
    const host = await t.streamer('host-brand-a');
    const mod = await t.streamer('mod', 'brand-a', { role: 'moderator' });
    await host.join(id);
    await mod.join(id);
    expect((await host.chat(id, 'welcome!')).message.role).toBe('streamer');
    expect((await mod.chat(id, 'be nice')).message.role).toBe('moderator');
  });

  it('gives messages ids that increase within the stream', async () => {
    const id = await t.createStream();
    const v = await t.joinedViewer(id, 'counter');
    const a = await v.chat(id, 'one');
    const b = await v.chat(id, 'two');
    expect(Number(b.message.id)).toBeGreaterThan(Number(a.message.id));
  });
});

describe('chat limits', () => {
  it('holds the rate limit for one viewer across two sockets', async () => {
    const id = await t.createStream('Live', 'brand-a', { start: true });
    const tab1 = await t.joinedViewer(id, 'twotabs');
    const tab2 = await t.joinedViewer(id, 'twotabs');
    const sends = Array.from({ length: 8 }, (_, i) => (i % 2 ? tab1 : tab2).chat(id, `message ${i}`));
    const results = await Promise.allSettled(sends);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(ok).toHaveLength(t.config.CHAT_RATE_LIMIT);
    expect(refused).toHaveLength(8 - t.config.CHAT_RATE_LIMIT);
    for (const err of refused) {
      expect(err).toMatchObject({ code: 'rate_limited', reason: 'rate_limit' });
      expect(err.retryAfterMs).toBeGreaterThan(0);
      expect(err.retryAfterMs).toBeLessThanOrEqual(t.config.CHAT_RATE_WINDOW_SEC * 1000);
    }
    expect(await t.chatTexts(id)).toHaveLength(t.config.CHAT_RATE_LIMIT);
    t.clock.advance(t.config.CHAT_RATE_WINDOW_SEC * 1000);
    await tab1.chat(id, 'after the window');
  });

  it('does not rate-limit the stream\'s own staff', async () => {
    const id = await t.createStream();
    const host = await t.streamer('host-brand-a');
    await host.join(id);
    for (let i = 0; i < t.config.CHAT_RATE_LIMIT + 3; i++) await host.chat(id, `announcement ${i}`);
    expect(await t.chatTexts(id)).toHaveLength(t.config.CHAT_RATE_LIMIT + 3);
  });

  it('enforces slow mode set by the streamer, and lifts it', async () => {
    const id = await t.createStream();
    const host = await t.streamer('host-brand-a');
    const v = await t.joinedViewer(id, 'slowpoke');
    const mode = v.once('chat:mode', (m) => m.streamId === id);
    expect(await host.chatSettings(id, { slowModeSec: 30 })).toEqual({ slowModeSec: 30, blockedWords: 0 });
    expect(await mode).toEqual({ streamId: id, slowModeSec: 30 });
    await v.chat(id, 'first');
    await expect(v.chat(id, 'second')).rejects.toMatchObject({ code: 'rate_limited', reason: 'slow_mode', retryAfterMs: 30_000 });
    t.clock.advance(10_000);
    await expect(v.chat(id, 'second')).rejects.toMatchObject({ retryAfterMs: 20_000 });
    t.clock.advance(20_000);
    await v.chat(id, 'second');
    await host.chatSettings(id, { slowModeSec: 0 });
    await v.chat(id, 'third');
    expect(await t.chatTexts(id)).toEqual(['first', 'second', 'third']);
  });

  it('refuses blocked words and phrases, whole words only, whatever the case', async () => {
    const id = await t.createStream();
    const host = await t.streamer('host-brand-a');
    const v = await t.joinedViewer(id, 'potty');
    expect(await host.chatSettings(id, { blockedWords: ['Scam', 'free money', 'scam'] })).toEqual({ slowModeSec: 0, blockedWords: 2 });
    await expect(v.chat(id, 'this is a SCAM!')).rejects.toMatchObject({ code: 'invalid_payload', reason: 'blocked_word' });
    await expect(v.chat(id, 'get FREE   money now')).rejects.toMatchObject({ code: 'invalid_payload', reason: 'blocked_word' });
    await v.chat(id, 'scampi is tasty');
    await v.chat(id, 'money for free');
    expect(await t.chatTexts(id)).toEqual(['scampi is tasty', 'money for free']);
    await host.chatSettings(id, { blockedWords: [] });
    await v.chat(id, 'scam talk is fine now');
  });

  it('refuses a repeat of your own last message within 30 s', async () => {
    const id = await t.createStream();
    const v = await t.joinedViewer(id, 'parrot');
    const other = await t.joinedViewer(id, 'echo');
    await v.chat(id, 'Buy now');
    await expect(v.chat(id, 'buy  NOW')).rejects.toMatchObject({ code: 'invalid_payload', reason: 'duplicate' });
    await other.chat(id, 'buy now');
    t.clock.advance(30_000);
    await v.chat(id, 'buy now');
    expect(await t.chatTexts(id)).toEqual(['Buy now', 'buy now', 'buy now']);
  });
});

describe('chat and the rest of the service', () => {
  it('counts accepted viewer messages for scoring, not refused ones or staff messages', async () => {
    const id = await t.createStream('Live', 'brand-a', { start: true });
    const v = await t.joinedViewer(id, 'chatty');
    const host = await t.streamer('host-brand-a');
    await host.join(id);
    await v.chat(id, 'one');
    await v.chat(id, 'two');
    await expect(v.chat(id, 'two')).rejects.toMatchObject({ reason: 'duplicate' });
    await host.chat(id, 'staff');
    const { redis, keys } = t.app.ctx;
    expect((await viewerActivity(redis, keys, id, 'chatty')).chat).toBe(2);
    expect((await streamTotals(redis, keys, id)).chat).toBe(2);
  });

  it('hands accepted messages to the chat hooks, and a failing hook does not refuse the sender', async () => {
    const seen: ChatMessage[] = [];
    const failing: DomainFeature = {
      name: 'failing',
      onChatMessage: async () => {
        throw new Error('lottery is down');
      },
    };
    const recording: DomainFeature = {
      name: 'recording',
      onChatMessage: async (_c, _s, _u, m) => {
        seen.push(m);
      },
    };
    const hooked = await startTestApp({}, { domain: [...domainFeatures, failing, recording] });
    try {
      const id = await hooked.createStream();
      const v = await hooked.joinedViewer(id, 'hooked');
      const { message } = await v.chat(id, 'enter me');
      expect(seen).toEqual([message]);
      await expect(v.chat(id, 'enter me')).rejects.toMatchObject({ reason: 'duplicate' });
      expect(seen).toHaveLength(1);
    } finally {
      await hooked.close();
    }
  });
});
