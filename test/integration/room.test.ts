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
});
