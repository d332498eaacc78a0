import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewerClient } from '@stickyroom/sdk';
import { createLogger } from '../../core/src/logger.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { record, seedStream } from './rollup-fixtures.js';

const DAY = 86_400_000;
const BRAND = 'brand-r';
let t: TestApp;
let worker: RunningWorker;
let brandToken: string;

beforeAll(async () => {
  t = await startTestApp({
    REFERRAL_POINTS_REFERRER: '50',
    REFERRAL_POINTS_REFERRED: '25',
    REFERRAL_MAX_PER_STREAM: '3',
    REFERRAL_MAX_PER_DAY: '4',
    PUBLIC_URL: 'https://live.example.com',
  });
  worker = startWorker({ config: t.config, log: createLogger('silent', 'test-worker'), clock: t.clock });
  brandToken = await t.token('brand', 'brand-r-team', { brandId: BRAND });
});
afterAll(async () => {
  await worker.close();
  await t.close();
});

const live = (title: string) => t.createStream(title, BRAND, { start: true });
const balance = async (v: ViewerClient) => (await v.points(BRAND)).balance;

/** A viewer's share link for the stream, read through the SDK. */
async function linkOf(v: ViewerClient, streamId: string): Promise<string> {
  const { code, url } = await v.referralLink(streamId);
  expect(url).toBe(`https://live.example.com/demo/streams/${streamId}?ref=${code}`);
  return code;
}

async function joinVia(streamId: string, sub: string, ref: string) {
  const v = await t.viewer(sub);
  const ack = await v.join(streamId, { ref });
  return { v, status: ack.referral?.status };
}

describe('referrals', () => {
  it('credits a chain A → B → C once each, with points to both sides', async () => {
    const streamId = await live('chain');
    const a = await t.joinedViewer(streamId, 'ch-a');
    const codeA = await linkOf(a, streamId);
    expect((await a.referralLink(streamId)).code).toBe(codeA); // the same link every time

    const credited = a.once('referral:credited');
    const b = await joinVia(streamId, 'ch-b', codeA);
    expect(b.status).toBe('credited');
    expect(await credited).toMatchObject({ streamId, referredId: 'ch-b', points: 50 });
    const c = await joinVia(streamId, 'ch-c', await linkOf(b.v, streamId));
    expect(c.status).toBe('credited');

    expect(await balance(a)).toBe(50);
    expect(await balance(b.v)).toBe(25 + 50);
    expect(await balance(c.v)).toBe(25);

    // B joins again through A's link, and C through A's: nobody is credited twice
    expect((await joinVia(streamId, 'ch-b', codeA)).status).toBe('known');
    expect((await joinVia(streamId, 'ch-c', codeA)).status).toBe('known');
    expect(await balance(a)).toBe(50);
    expect(await balance(b.v)).toBe(75);

    // the summary and the brand's report show who was brought in, and by whom
    const summary = await t.http('GET', `/api/streams/${streamId}/summary`, { token: brandToken });
    expect(summary.body).toMatchObject({ referredViewers: 2, topReferrers: expect.arrayContaining([{ viewerId: 'ch-a', referred: 1 }, { viewerId: 'ch-b', referred: 1 }]) });
    const report = await t.http('GET', `/api/brands/${BRAND}/referrals`, { token: brandToken });
    expect(report.status).toBe(200);
    expect(report.body.topReferrers).toEqual(expect.arrayContaining([{ viewerId: 'ch-a', referred: 1 }, { viewerId: 'ch-b', referred: 1 }]));

    // a referral counts for the referrer's stickiness: the rollup carries it into their history
    await rollupStream(t.app.ctx, streamId);
    const profile = await t.http('GET', `/api/brands/${BRAND}/viewers/ch-a`, { token: brandToken });
    expect(profile.body.recentStreams[0]).toMatchObject({ streamId, referrals: 1 });
  });

  it('credits nothing for a self-referral, a re-join or a viewer the brand already knew', async () => {
    const streamId = await live('nothing');
    const owner = await t.joinedViewer(streamId, 'nr-owner');
    const code = await linkOf(owner, streamId);
    // a share link is asked for from the room
    await expect(owner.referralLink(await live('elsewhere'))).rejects.toMatchObject({ code: 'forbidden' });

    // self
    expect((await owner.join(streamId, { ref: code })).referral).toEqual({ status: 'self' });

    // a viewer who was in this stream before joins again through the link
    const early = await t.joinedViewer(streamId, 'nr-early');
    early.close();
    expect((await joinVia(streamId, 'nr-early', code)).status).toBe('known');

    // a viewer with a stickiness history with the brand (an earlier stream, rolled up)
    const past = 'nr-past';
    await seedStream(t.app.ctx, { id: past, brandId: BRAND, startedAt: t.clock.now() - 10 * DAY });
    await record(t.app.ctx.redis, t.app.ctx.keys, [{ streamId: past, viewerId: 'nr-regular', metric: 'watchMs', n: 600_000, at: t.clock.now() - 10 * DAY + 1000 }]);
    await rollupStream(t.app.ctx, past);
    expect((await joinVia(streamId, 'nr-regular', code)).status).toBe('known');

    // a viewer who already shared a link of their own (from another live stream of the brand) is no newcomer
    const other = await live('other');
    const sharer = await t.joinedViewer(other, 'nr-sharer');
    await linkOf(sharer, other);
    expect((await joinVia(streamId, 'nr-sharer', code)).status).toBe('known');

    // a code nobody was given
    expect((await joinVia(streamId, 'nr-lost', 'not-a-real-code-00')).status).toBe('unknown_code');

    expect(await balance(owner)).toBe(0);
    const report = await t.http('GET', `/api/brands/${BRAND}/referrals`, { token: brandToken });
    expect(report.body.topReferrers.find((r: { viewerId: string }) => r.viewerId === 'nr-owner')).toBeUndefined();
  });

  it('credits a viewer joining through the link from three tabs at once only once', async () => {
    const streamId = await live('tabs');
    const a = await t.joinedViewer(streamId, 'tb-a');
    const code = await linkOf(a, streamId);
    const tabs = await Promise.all([0, 1, 2].map(() => t.viewer('tb-new')));
    const statuses = await Promise.all(tabs.map(async (v) => (await v.join(streamId, { ref: code })).referral?.status));
    expect(statuses.filter((s) => s === 'credited')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'known')).toHaveLength(2);
    expect(await balance(a)).toBe(50);
    expect(await balance(tabs[0]!)).toBe(25);
  });

  it('caps a referrer per stream and per day', async () => {
    const first = await live('cap-1');
    const farmer = await t.joinedViewer(first, 'cap-farmer');
    const code = await linkOf(farmer, first);
    const statuses: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await joinVia(first, `cap-a${i}`, code)).status);
    expect(statuses).toEqual(['credited', 'credited', 'credited', 'stream_cap']);

    const second = await live('cap-2');
    statuses.length = 0;
    for (let i = 0; i < 2; i++) statuses.push((await joinVia(second, `cap-b${i}`, code)).status);
    expect(statuses).toEqual(['credited', 'day_cap']);
    expect(await balance(farmer)).toBe(4 * 50);

    // the next day the referrer may be credited again (the viewer refused by the cap is no longer new: not them)
    t.clock.advance(DAY);
    expect((await joinVia(second, 'cap-c0', code)).status).toBe('credited');
    expect((await joinVia(second, 'cap-b1', code)).status).toBe('known');
  });
});
