import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createViewerClient, type StreamerClient } from '@stickyroom/sdk';
import { createApp, type App } from '../../server/src/app.js';
import { streamRoom } from '../../core/src/pusher.js';
import { createLogger } from '../../core/src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
/** A second server node on the same Redis and prefix: rooms are shared through the adapter. */
let nodeB: App;
let nodeBUrl: string;
beforeAll(async () => {
  t = await startTestApp();
  nodeB = createApp({ config: t.config, clock: t.clock, log: createLogger('silent', 'node-b') });
  nodeBUrl = `http://127.0.0.1:${await nodeB.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await nodeB.close();
  await t.close();
});

async function setup(): Promise<{ id: string; host: StreamerClient; mod: StreamerClient }> {
  const id = await t.createStream('Moderated', 'brand-a', { start: true });
  const host = await t.streamer('host-brand-a');
  const mod = await t.streamer('mod-a', 'brand-a', { role: 'moderator' });
  await host.join(id);
  return { id, host, mod };
}

/** User ids whose sockets (on any node) are in the stream's room. */
async function inRoom(streamId: string): Promise<string[]> {
  const sockets = await t.app.io.in(streamRoom(streamId)).fetchSockets();
  return sockets.map((s) => s.data.user.id);
}

describe('chat moderation', () => {
  it('deletes a message: everyone\'s view updates and the author is told', async () => {
    const { id, mod } = await setup();
    const alice = await t.joinedViewer(id, 'alice');
    const bob = await t.joinedViewer(id, 'bob');
    const { message } = await alice.chat(id, 'something rude');
    await bob.chat(id, 'hello');
    const atBob = bob.once('chat:deleted', (e) => e.messageId === message.id);
    const notice = alice.once('moderation:notice', (n) => n.action === 'delete');
    await mod.deleteMessage(id, message.id);
    expect(await atBob).toEqual({ streamId: id, messageId: message.id });
    expect(await notice).toMatchObject({ streamId: id, action: 'delete' });
    expect(await t.chatTexts(id)).toEqual(['hello']);
    await expect(mod.deleteMessage(id, message.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(mod.deleteMessage(id, 'not-an-id')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('mutes a viewer for N seconds: muted with retryAfterMs until it lifts', async () => {
    const { id, mod } = await setup();
    const bob = await t.joinedViewer(id, 'loud-bob');
    const notice = bob.once('moderation:notice', (n) => n.action === 'mute');
    const { until } = await mod.mute(id, 'loud-bob', 60);
    expect(until).toBe(t.clock.now() + 60_000);
    expect(await notice).toEqual({ streamId: id, action: 'mute', until });
    await expect(bob.chat(id, 'but why')).rejects.toMatchObject({ code: 'muted', retryAfterMs: 60_000 });
    t.clock.advance(59_000);
    await expect(bob.chat(id, 'but why')).rejects.toMatchObject({ code: 'muted', retryAfterMs: 1000 });
    expect(await t.chatTexts(id)).toEqual([]);
    t.clock.advance(1000);
    await bob.chat(id, 'sorry');
    expect(await t.chatTexts(id)).toEqual(['sorry']);
  });

  it('bans a viewer: their sockets leave the room on every node, join and chat answer banned; unban lifts it', async () => {
    const { id, mod } = await setup();
    const tab1 = await t.joinedViewer(id, 'troll');
    const tab2 = createViewerClient({ url: nodeBUrl, token: await t.token('viewer', 'troll'), transports: ['websocket'], heartbeats: false });
    await tab2.connect();
    await tab2.join(id);
    expect((await inRoom(id)).filter((u) => u === 'troll')).toHaveLength(2);
    const notice = tab2.once('moderation:notice', (n) => n.action === 'ban');
    await mod.ban(id, 'troll');
    expect(await notice).toEqual({ streamId: id, action: 'ban' });
    await vi.waitFor(async () => expect(await inRoom(id)).not.toContain('troll'));
    await expect(tab1.chat(id, 'I am back')).rejects.toMatchObject({ code: 'banned' });
    await expect(tab2.chat(id, 'I am back')).rejects.toMatchObject({ code: 'banned' });
    await expect(tab1.join(id)).rejects.toMatchObject({ code: 'banned' });
    await expect(tab2.join(id)).rejects.toMatchObject({ code: 'banned' });
    expect(await inRoom(id)).not.toContain('troll');
    expect(await t.chatTexts(id)).toEqual([]);
    const otherStream = await t.createStream('Another show', 'brand-a', { start: true });
    await tab1.join(otherStream);
    await tab1.chat(otherStream, 'a ban is per stream');

    await mod.ban(id, 'troll', true);
    await tab1.join(id);
    await tab1.chat(id, 'I will behave');
    expect(await t.chatTexts(id)).toEqual(['I will behave']);
    tab2.close();
  });

  it('pins one message: the room is told, a joining viewer sees it, unpinning clears it', async () => {
    const { id, host } = await setup();
    const v = await t.joinedViewer(id, 'fan');
    const { message } = await v.chat(id, 'great deal on the red shoes');
    const pinned = v.once('chat:pinned', (e) => e.pinned !== null);
    await host.pinMessage(id, message.id);
    expect((await pinned).pinned).toEqual({ message, pinnedBy: 'host-brand-a', at: t.clock.now() });
    const late = await t.viewer('latecomer');
    expect((await late.join(id)).pinned?.message?.message).toEqual(message);
    await expect(host.pinMessage(id, '999999')).rejects.toMatchObject({ code: 'not_found' });
    const unpinned = v.once('chat:pinned', (e) => e.pinned === null);
    await host.pinMessage(id, null);
    await unpinned;
    expect((await (await t.viewer('latest')).join(id)).pinned?.message).toBeUndefined();
  });

  it('unpins a pinned message when it is deleted', async () => {
    const { id, host } = await setup();
    const v = await t.joinedViewer(id, 'pinned-author');
    const { message } = await v.chat(id, 'pin me then delete me');
    await host.pinMessage(id, message.id);
    const unpinned = v.once('chat:pinned', (e) => e.pinned === null);
    await host.deleteMessage(id, message.id);
    await unpinned;
    expect((await (await t.viewer('after-delete')).join(id)).pinned?.message).toBeUndefined();
  });

  it('does not let a viewer moderate, and nothing changes', async () => {
    const { id } = await setup();
    const alice = await t.joinedViewer(id, 'alice2');
    const { message } = await alice.chat(id, 'keep me');
    const sneaky = await t.joinedViewer(id, 'sneaky');
    const raw = (sneaky.socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<any> } }).timeout(5000);
    const attempts: [string, object][] = [
      ['chat:delete', { streamId: id, messageId: message.id }],
      ['chat:mute', { streamId: id, userId: 'alice2', seconds: 60 }],
      ['chat:ban', { streamId: id, userId: 'alice2' }],
      ['chat:pin', { streamId: id, messageId: message.id }],
      ['chat:settings', { streamId: id, slowModeSec: 60 }],
    ];
    for (const [event, payload] of attempts) expect((await raw.emitWithAck(event, payload)).error.code, event).toBe('forbidden');
    await alice.chat(id, 'still here');
    const snapshot = await (await t.viewer('checker')).join(id);
    expect(snapshot.chat.map((m) => m.text)).toEqual(['keep me', 'still here']);
    expect(snapshot.pinned?.message).toBeUndefined();
  });

  it('does not let a streamer of brand B moderate brand A\'s stream', async () => {
    const { id } = await setup();
    const alice = await t.joinedViewer(id, 'alice3');
    const { message } = await alice.chat(id, 'brand A chat');
    const other = await t.streamer('host-b', 'brand-b');
    await expect(other.deleteMessage(id, message.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(other.mute(id, 'alice3', 60)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(other.ban(id, 'alice3')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(other.pinMessage(id, message.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(other.chatSettings(id, { blockedWords: ['brand'] })).rejects.toMatchObject({ code: 'forbidden' });
    await alice.chat(id, 'brand A chat again');
    expect(await t.chatTexts(id)).toEqual(['brand A chat', 'brand A chat again']);
  });

  it('refuses moderating yourself', async () => {
    const { id, mod } = await setup();
    await expect(mod.mute(id, 'mod-a', 60)).rejects.toMatchObject({ code: 'invalid_payload' });
  });
});

describe('moderation log', () => {
  it('records who did what to whom and when, readable by the brand; 403 for another brand or a viewer', async () => {
    const { id, host, mod } = await setup();
    const bob = await t.joinedViewer(id, 'logged-bob');
    const { message } = await bob.chat(id, 'log me');
    const t0 = t.clock.now();
    await host.chatSettings(id, { slowModeSec: 5, blockedWords: ['spam'] });
    t.clock.advance(1000);
    await mod.pinMessage(id, message.id);
    await mod.mute(id, 'logged-bob', 30);
    await host.deleteMessage(id, message.id);
    await mod.ban(id, 'logged-bob');
    await mod.ban(id, 'logged-bob', true);

    const brand = await t.token('brand', 'analyst', { brandId: 'brand-a' });
    const res = await t.http('GET', `/api/streams/${id}/moderation`, { token: brand });
    expect(res.status).toBe(200);
    expect(res.body.streamId).toBe(id);
    expect(res.body.total).toBe(6);
    const actions = res.body.actions as any[];
    expect(actions.map((a) => a.action)).toEqual(['unban', 'ban', 'delete', 'mute', 'pin', 'settings']);
    expect(actions[5]).toEqual({ at: t0, action: 'settings', by: { id: 'host-brand-a', name: 'host-brand-a', role: 'streamer' }, slowModeSec: 5, blockedWords: 1 });
    expect(actions[3]).toEqual({ at: t0 + 1000, action: 'mute', by: { id: 'mod-a', name: 'mod-a', role: 'moderator' }, target: 'logged-bob', seconds: 30, until: t0 + 31_000 });
    expect(actions[2]).toMatchObject({ action: 'delete', target: 'logged-bob', messageId: message.id, message });
    expect(actions[1]).toMatchObject({ action: 'ban', target: 'logged-bob', by: { id: 'mod-a' } });

    const page = await t.http('GET', `/api/streams/${id}/moderation?limit=2&offset=1`, { token: brand });
    expect(page.body.actions.map((a: any) => a.action)).toEqual(['ban', 'delete']);

    const streamerToken = await t.token('streamer', 'host-brand-a', { brandId: 'brand-a' });
    expect((await t.http('GET', `/api/streams/${id}/moderation`, { token: streamerToken })).status).toBe(200);
    const otherBrand = await t.http('GET', `/api/streams/${id}/moderation`, { token: await t.token('brand', 'spy', { brandId: 'brand-b' }) });
    expect(otherBrand.status).toBe(403);
    expect(otherBrand.body.error.code).toBe('forbidden');
    expect((await t.http('GET', `/api/streams/${id}/moderation`, { token: await t.token('viewer', 'logged-bob') })).status).toBe(403);
    expect((await t.http('GET', `/api/streams/${id}/moderation`)).status).toBe(401);
    expect((await t.http('GET', `/api/streams/nope/moderation`, { token: brand })).status).toBe(404);
    expect((await t.http('GET', `/api/streams/${id}/moderation?limit=0`, { token: brand })).status).toBe(400);
  });
});
