import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presenceSummary } from '../../core/src/presence/presence.store.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('room:join', () => {
  it('refuses a banned viewer before counting them as a viewer of the stream', async () => {
    const id = await t.createStream('bans', 'brand-a', { start: true });
    const host = await t.streamer('host');
    await host.ban(id, 'troll');
    const troll = await t.viewer('troll');
    await expect(troll.join(id)).rejects.toMatchObject({ code: 'banned' });
    const summary = await presenceSummary(t.app.ctx.redis, t.app.ctx.keys, id);
    expect(summary.uniqueViewers).toBe(0);
  });

  it("lets the stream's staff join though their id is banned, and answers not_found before banned for an unknown stream", async () => {
    const id = await t.createStream('staff bans', 'brand-a', { start: true });
    const host = await t.streamer('host-bans');
    await host.ban(id, 'turncoat');
    const asModerator = await t.streamer('turncoat', 'brand-a', { role: 'moderator' });
    await expect(asModerator.join(id)).resolves.toMatchObject({ stream: { id } });
    const asViewer = await t.viewer('turncoat');
    await expect(asViewer.join(id)).rejects.toMatchObject({ code: 'banned' });
    await expect(asViewer.join('no-such-stream')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('gives each of the joins of one moment its own lottery standing beside the same history and pins', async () => {
    const id = await t.createStream('one moment', 'brand-a', { start: true });
    const host = await t.streamer('host-moment');
    await host.join(id);
    const sent = [];
    for (let i = 1; i <= 25; i++) sent.push((await host.chat(id, `m${i}`)).message);
    await host.request('chat:pin', { streamId: id, messageId: sent[24]!.id });
    const product = { id: 'p1', title: 'Sneaker', price: 89.9, currency: 'EUR', url: 'https://example.com/p/1' };
    await host.pinProduct(id, product);
    const { lottery } = await host.createLottery(id, { prize: 'A pair', winners: 1, durationSec: 3600 });
    const ins = await Promise.all(['in-1', 'in-2'].map((sub) => t.joinedViewer(id, sub)));
    for (const v of ins) await v.enterLottery(lottery.id);
    const outs = await Promise.all(['out-1', 'out-2'].map((sub) => t.viewer(sub)));
    const mod = await t.streamer('mod-moment', 'brand-a', { role: 'moderator' });
    // every socket asks at once: one moment's shared reads
    const acks = await Promise.all([...ins, ...outs, mod].map((c) => c.request('room:join', { streamId: id })));
    for (const ack of acks) {
      expect(ack.chat).toEqual(sent.slice(-20));
      expect(ack.pinned).toEqual({ message: expect.objectContaining({ message: sent[24] }), product: expect.objectContaining(product) });
    }
    expect(acks.map((a) => a.lottery?.entered)).toEqual([true, true, false, false, undefined]);
    expect(acks.map((a) => a.lottery?.entrants)).toEqual([2, 2, 2, 2, 2]);
  });
});
