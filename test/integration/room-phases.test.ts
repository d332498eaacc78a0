import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, ViewerClient } from '@stickyroom/sdk';
import { phaseOf } from '../../server/src/io/phases.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** The id of the server-side socket of user `sub` on the node of `app` (one socket per viewer here). */
function socketIdOf(app: TestApp, sub: string): string | undefined {
  for (const socket of app.app.io.of('/').sockets.values()) if (socket.data.user?.id === sub) return socket.id;
  return undefined;
}

describe.each(['sharded', 'classic'] as const)('a push to one phase of a stream room, two nodes, %s adapter', (adapter) => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp({ SOCKET_ADAPTER: adapter });
    b = await startTestApp({ REDIS_PREFIX: a.prefix, SOCKET_ADAPTER: adapter }, { clock: a.clock });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('reaches each viewer on either node once, in the part its socket id falls in, and nobody outside the room', async () => {
    const streamId = await a.createStream('Phases', 'brand-a', { start: true });
    const other = await a.createStream('Another room', 'brand-a', { start: true });
    const viewers: { sub: string; node: TestApp; client: ViewerClient; got: number[] }[] = [];
    for (let i = 0; i < 16; i++) {
      const node = i % 2 === 0 ? a : b;
      const sub = `phase-viewer-${i}`;
      const client = await node.joinedViewer(streamId, sub);
      const got: number[] = [];
      client.on('reaction:totals', (e) => void got.push(e.totals.phase!));
      viewers.push({ sub, node, client, got });
    }
    const outsider = await b.joinedViewer(other, 'phase-outsider');
    const outsiderGot: unknown[] = [];
    outsider.on('reaction:totals', (e) => void outsiderGot.push(e));

    const phases = 4;
    const toPhase = a.app.ctx.broadcast.toStreamPhase;
    expect(toPhase).toBeTypeOf('function');
    for (let p = 0; p < phases; p++) toPhase!(streamId, p, phases).emit('reaction:totals', { streamId, totals: { phase: p } });
    // a push to the whole room after them: once a viewer has it, every phase push meant for it has come
    const ends = viewers.map(({ client }) => client.once('reaction:totals', (e) => e.totals.phase === 99));
    a.app.ctx.broadcast.toStream(streamId).emit('reaction:totals', { streamId, totals: { phase: 99 } });
    await Promise.all(ends);

    const parts = new Set<number>();
    for (const v of viewers) {
      const id = socketIdOf(v.node, v.sub);
      expect(id).toBeDefined();
      const mine = phaseOf(id!, phases);
      parts.add(mine);
      expect(v.got).toEqual([mine, 99]);
    }
    expect(parts.size).toBeGreaterThan(1);
    expect(outsiderGot).toEqual([]);
    for (const v of viewers) v.client.close();
    outsider.close();
  });
});

/** A viewer spoken to on the wire (socket.io-client, no SDK: no dedup, no gap fetch), recording every chat message and totals push. */
async function wireViewer(app: TestApp, streamId: string, sub: string) {
  const socket: Socket = connect(app.url, { transports: ['websocket'], auth: { token: await app.token('viewer', sub) }, reconnection: false, forceNew: true });
  const chat: ChatMessage[] = [];
  const likes: number[] = [];
  const waiting = new Set<{ done: () => boolean; resolve: () => void }>();
  const check = () => {
    for (const w of waiting) if (w.done()) (waiting.delete(w), w.resolve());
  };
  socket.on('chat:batch', (b: { messages: ChatMessage[] }) => (chat.push(...b.messages), check()));
  socket.on('chat:message', (m: ChatMessage) => (chat.push(m), check()));
  socket.on('reaction:totals', (e: { totals: Record<string, number> }) => (likes.push(e.totals.like ?? 0), check()));
  /** Resolves once `done` holds (checked on each push this viewer receives). */
  const until = (done: () => boolean): Promise<void> => (done() ? Promise.resolve() : new Promise((resolve) => waiting.add({ done, resolve })));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const joined = (await socket.emitWithAck('room:join', { streamId })) as { ok?: boolean; error?: unknown };
  expect(joined.error).toBeUndefined();
  return { sub, socket, chat, likes, until };
}

describe('chat and reaction totals of a big room, written in phases on two nodes', () => {
  // Two sockets per CHAT_TICK_MS step: a room of 9 sockets on a node is a big room of 5 phases.
  const env = { CHAT_SOCKETS_PER_STEP: '2', CHAT_TICK_MS: '20', CHAT_RATE_LIMIT: '100', REACTION_FLUSH_MS: '100' };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp(env);
    b = await startTestApp({ ...env, REDIS_PREFIX: a.prefix }, { clock: a.clock });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('gives every viewer on either node every message once and in its sender\'s order, and the last totals; nothing after a leave', async () => {
    const streamId = await a.createStream('Phased chat', 'brand-a', { start: true });
    const viewers = [];
    for (let i = 0; i < 18; i++) viewers.push(await wireViewer(i % 2 === 0 ? a : b, streamId, `wire-${i}`));
    const phasedA = a.app.ctx.broadcast.toStreamPhase!;
    let phaseFrames = 0;
    a.app.ctx.broadcast.toStreamPhase = (...args) => (phaseFrames++, phasedA(...args));

    // four senders, two on each node, each sending in order (every send awaited), all at once
    const senders = viewers.slice(0, 4);
    const perSender = 15;
    await Promise.all(
      senders.map(async (s) => {
        for (let n = 0; n < perSender; n++) {
          const ack = (await s.socket.emitWithAck('chat:send', { streamId, text: `<script>${s.sub}</script> #${n}` })) as { error?: unknown };
          expect(ack.error).toBeUndefined();
        }
      }),
    );
    const taps = (await viewers[5]!.socket.emitWithAck('reaction:send', { streamId, kind: 'like', count: 7 })) as { error?: unknown };
    expect(taps.error).toBeUndefined();

    // a viewer on node B leaves: what is sent after its leave is answered must not reach it in any phase
    const leaver = viewers.pop()!;
    expect(await leaver.socket.emitWithAck('room:leave', { streamId })).toEqual({ ok: true });

    // A last message from each node: a phase's frames carry its node's messages in order, so a viewer that
    // has both has had every frame that could hold an earlier one (or a repeat of it).
    for (const s of senders.slice(0, 2)) await s.socket.emitWithAck('chat:send', { streamId, text: `last from ${s.sub}` });
    const lasts = senders.slice(0, 2).map((s) => `last from ${s.sub}`);
    await Promise.all(viewers.map((v) => v.until(() => lasts.every((t) => v.chat.some((m) => m.text === t)) && v.likes.at(-1) === 7)));
    expect(leaver.chat.filter((m) => lasts.includes(m.text))).toEqual([]);
    const total = senders.length * perSender + lasts.length;
    for (const v of viewers) {
      expect(new Set(v.chat.map((m) => m.id)).size).toBe(total);
      expect(v.chat).toHaveLength(total);
      for (const s of senders) {
        const texts = v.chat.filter((m) => m.userId === s.sub && !lasts.includes(m.text)).map((m) => m.text);
        expect(texts).toEqual(Array.from({ length: perSender }, (_, n) => `<script>${s.sub}</script> #${n}`));
      }
    }
    expect(phaseFrames).toBeGreaterThan(0);
    for (const v of [...viewers, leaver]) v.socket.close();
  });
});
