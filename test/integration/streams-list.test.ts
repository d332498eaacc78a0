import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe("a brand's stream list (GET /api/streams)", () => {
  it('lists only the caller brand streams, newest first, filtered by status and paginated', async () => {
    const brand = `list-${Date.now().toString(36)}`;
    const a = await t.createStream('First', brand);
    const b = await t.createStream('Second', brand, { start: true });
    const c = await t.createStream('Third', brand);
    await t.createStream('Someone else', `${brand}-other`);
    const token = await t.token('moderator', 'mod-1', { brandId: brand });

    const all = await t.http('GET', '/api/streams', { token });
    expect(all.status).toBe(200);
    const listed = all.body.streams as { id: string; createdAt: number }[];
    expect(listed.map((s) => s.id).sort()).toEqual([a, b, c].sort());
    const times = listed.map((s) => s.createdAt);
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(all.body.nextCursor).toBeNull();

    const live = await t.http('GET', '/api/streams?status=live', { token });
    expect(live.body.streams.map((s: { title: string }) => s.title)).toEqual(['Second']);

    const page1 = await t.http('GET', '/api/streams?status=scheduled&limit=1', { token });
    const scheduled = listed.map((s) => s.id).filter((id) => id !== b);
    expect(page1.body.streams.map((s: { id: string }) => s.id)).toEqual([scheduled[0]]);
    const page2 = await t.http('GET', `/api/streams?status=scheduled&limit=1&cursor=${page1.body.nextCursor}`, { token });
    expect(page2.body.streams.map((s: { id: string }) => s.id)).toEqual([scheduled[1]]);
    // a filtered page may end before the list does: the cursor then leads to what is left (here nothing)
    if (page2.body.nextCursor !== null) {
      const page3 = await t.http('GET', `/api/streams?status=scheduled&limit=1&cursor=${page2.body.nextCursor}`, { token });
      expect(page3.body).toEqual({ streams: [], nextCursor: null });
    }
  });

  it('refuses viewers, another brand named by staff, and a bad status', async () => {
    expect((await t.http('GET', '/api/streams', { token: await t.token('viewer', 'v-1') })).status).toBe(403);
    const staff = await t.token('streamer', 'host-x', { brandId: 'brand-x' });
    expect((await t.http('GET', '/api/streams?brandId=brand-y', { token: staff })).status).toBe(403);
    expect((await t.http('GET', '/api/streams?status=paused', { token: staff })).status).toBe(400);
    expect((await t.http('GET', '/api/streams')).status).toBe(401);
  });
});
