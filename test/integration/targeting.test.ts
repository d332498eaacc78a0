import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DropPublic, LotteryPublic, StreamSummary, ViewerClient } from '@stickyroom/sdk';
import { StreamSummary as StreamSummarySchema, type PollFinal, type PollPublic, type PollResults } from '@stickyroom/sdk/protocol';
import { createLogger } from '../../core/src/logger.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { grantPoints } from '../../core/src/points/points.service.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { startTwoNodesAndWorker } from '../helpers/two-nodes.js';
import { record, seedStream, type ActivityEvent } from './rollup-fixtures.js';

const DAY = 86_400_000;
const BRAND = 'brand-t';
let t: TestApp;
let worker: RunningWorker;

/**
 * Viewers of BRAND in known segments, made the way the product makes them: activity in earlier streams
 * of the brand, rolled up by the scoring rollup. `fresh` never watched the brand (new).
 */
const PEOPLE = { loyal: 'tg-loyal', atRisk: 'tg-atrisk', dormant: 'tg-dormant', fresh: 'tg-fresh' } as const;

beforeAll(async () => {
  t = await startTestApp();
  worker = startWorker({ config: t.config, log: createLogger('silent', 'test-worker'), clock: t.clock });
  const now = t.clock.now();
  const ctx = t.app.ctx;
  const past: { id: string; at: number; events: (at: number) => ActivityEvent[] }[] = [
    // three rich streams in the last days: loyal
    ...[3, 2, 1].map((d) => ({
      id: `tg-past-l${d}`,
      at: now - d * DAY,
      events: (at: number): ActivityEvent[] => [
        { streamId: `tg-past-l${d}`, viewerId: PEOPLE.loyal, metric: 'watchMs', n: 60 * 60_000, at },
        { streamId: `tg-past-l${d}`, viewerId: PEOPLE.loyal, metric: 'chat', n: 10, at },
        { streamId: `tg-past-l${d}`, viewerId: PEOPLE.loyal, metric: 'orders', n: 1, at },
        { streamId: `tg-past-l${d}`, viewerId: PEOPLE.loyal, metric: 'revenueCents', n: 10_000, at },
      ],
    })),
    // one stream 30 days ago: at-risk; one 90 days ago: dormant
    { id: 'tg-past-r', at: now - 30 * DAY, events: (at) => [{ streamId: 'tg-past-r', viewerId: PEOPLE.atRisk, metric: 'watchMs', n: 20 * 60_000, at }] },
    { id: 'tg-past-d', at: now - 90 * DAY, events: (at) => [{ streamId: 'tg-past-d', viewerId: PEOPLE.dormant, metric: 'watchMs', n: 20 * 60_000, at }] },
  ];
  for (const s of past) {
    await seedStream(ctx, { id: s.id, brandId: BRAND, startedAt: s.at });
    await record(ctx.redis, ctx.keys, s.events(s.at + 1000));
    await rollupStream(ctx, s.id);
  }
});
afterAll(async () => {
  await worker.close();
  await t.close();
});

const drop = { title: 'We missed you', discount: { type: 'percent' as const, value: 20 }, quantity: 10, durationSec: 600 };

async function liveRoom(title: string) {
  const streamId = await t.createStream(title, BRAND, { start: true });
  const host = await t.streamer(`host-${title}`, BRAND);
  await host.join(streamId);
  const viewers: Record<keyof typeof PEOPLE, ViewerClient> = {} as never;
  for (const [who, id] of Object.entries(PEOPLE)) viewers[who as keyof typeof PEOPLE] = await t.joinedViewer(streamId, id);
  return { streamId, host, viewers };
}

/** Every push of `event` a viewer receives from now on. */
function collect<T>(
  v: ViewerClient,
  event: 'coupon:dropped' | 'coupon:stock' | 'coupon:ended' | 'lottery:started' | 'lottery:drawn' | 'poll:started' | 'poll:results' | 'poll:closed',
): T[] {
  const got: T[] = [];
  v.on(event, ((p: T) => got.push(p)) as never);
  return got;
}

describe('targeted coupon drops', () => {
  it('shows a win-back drop (at-risk, dormant) only to those viewers, and only they can claim it', async () => {
    const { streamId, host, viewers } = await liveRoom('winback');
    const dropped = Object.fromEntries(Object.entries(viewers).map(([who, v]) => [who, collect<DropPublic>(v, 'coupon:dropped')]));
    const ended = Object.fromEntries(Object.entries(viewers).map(([who, v]) => [who, collect(v, 'coupon:ended')]));
    const hostSees = host.once('coupon:dropped');
    const atRiskSees = viewers.atRisk.once('coupon:dropped');
    const dormantSees = viewers.dormant.once('coupon:dropped');
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, quantity: 2, audience: { segments: ['at-risk', 'dormant'] } });

    // the eligible viewers and the staff get the push, with the audience
    expect(await atRiskSees).toMatchObject({ id: d.id, audience: { segments: ['at-risk', 'dormant'] } });
    expect((await dormantSees).id).toBe(d.id);
    expect((await hostSees).id).toBe(d.id);

    // the others' claims are refused with the reason, and change no stock
    for (const who of ['loyal', 'fresh'] as const) {
      await expect(viewers[who].claimCoupon(d.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'audience' });
    }
    await expect(viewers.loyal.claimCoupon(d.id)).rejects.toThrow(/at-risk, dormant viewers; you are loyal/);

    // the eligible viewers claim fine; the second claim sells it out
    const endedForDormant = viewers.dormant.once('coupon:ended');
    expect((await viewers.atRisk.claimCoupon(d.id)).code).toMatch(/^[0-9A-Z]{4}-/);
    expect((await viewers.dormant.claimCoupon(d.id)).code).toMatch(/^[0-9A-Z]{4}-/);
    expect(await endedForDormant).toMatchObject({ dropId: d.id, reason: 'sold_out', claimed: 2 });

    // a later join ack lists the drop for nobody but the staff (it ended); an open one is the next test.
    // Ordering: a push to the room after all of the above reaches everyone, so by then every targeted push
    // that was going to arrive has.
    const marker = await host.dropCoupon(streamId, { ...drop, title: 'for all' });
    await Promise.all(Object.values(viewers).map((v) => v.once('coupon:dropped', (p) => p.id === marker.drop.id)));
    for (const who of ['loyal', 'fresh'] as const) {
      expect(dropped[who]!.map((p) => p.id)).toEqual([marker.drop.id]);
      expect(ended[who]).toEqual([]);
    }
    expect(dropped.atRisk!.map((p) => p.id)).toEqual([d.id, marker.drop.id]);
  });

  it("sends the worker's end of a targeted drop (its window closed) to its audience only", async () => {
    const { streamId, host, viewers } = await liveRoom('expiry');
    const ended = Object.fromEntries(Object.entries(viewers).map(([who, v]) => [who, collect<{ dropId: string }>(v, 'coupon:ended')]));
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, durationSec: 1, audience: { segments: ['dormant'] } });
    const dormantSees = viewers.dormant.once('coupon:ended', (e) => e.dropId === d.id, 15_000);
    t.clock.advance(1000);
    expect(await dormantSees).toMatchObject({ dropId: d.id, reason: 'expired' });
    const { drop: marker } = await host.dropCoupon(streamId, { ...drop, title: 'marker' });
    await Promise.all(Object.values(viewers).map((v) => v.once('coupon:dropped', (p) => p.id === marker.id)));
    for (const who of ['loyal', 'atRisk', 'fresh'] as const) expect(ended[who]).toEqual([]);
  });

  it('stops targeted pushes to a banned viewer too', async () => {
    const { streamId, host, viewers } = await liveRoom('ban');
    const dropped = collect<DropPublic>(viewers.dormant, 'coupon:dropped');
    const notice = viewers.dormant.once('moderation:notice');
    await host.ban(streamId, PEOPLE.dormant);
    await notice;
    const atRiskSees = viewers.atRisk.once('coupon:dropped');
    const { drop: d } = await host.dropCoupon(streamId, { ...drop, audience: { segments: ['at-risk', 'dormant'] } });
    await atRiskSees;
    // a push to the banned viewer's own user room comes after: the targeted one would have arrived by then
    const unbanned = viewers.dormant.once('moderation:notice');
    await host.ban(streamId, PEOPLE.dormant, true);
    await unbanned;
    expect(dropped.map((p) => p.id)).not.toContain(d.id);
  });

  it('leaves a targeted drop out of the join ack of a viewer outside its audience', async () => {
    const { streamId, host } = await liveRoom('ack');
    const { drop: open } = await host.dropCoupon(streamId, { ...drop, audience: { segments: ['at-risk', 'dormant'] } });
    const { drop: everyone } = await host.dropCoupon(streamId, { ...drop, title: 'for all' });
    const ids = async (sub: string) => ((await (await t.viewer(sub)).join(streamId)).drops).map((x) => x.id).sort();
    expect(await ids(PEOPLE.loyal)).toEqual([everyone.id]);
    expect(await ids(PEOPLE.fresh)).toEqual([everyone.id]);
    expect(await ids(PEOPLE.dormant)).toEqual([open.id, everyone.id].sort());
    expect((await host.join(streamId)).drops.map((x) => x.id).sort()).toEqual([open.id, everyone.id].sort());
  });

  it('reads the standing of viewers joining at once each for their own (segment and tier)', async () => {
    const streamId = await t.createStream('at once', BRAND, { start: true });
    const host = await t.streamer('host-at-once', BRAND);
    await grantPoints(t.app.ctx, { brandId: BRAND, viewerId: 'tg-gold-at-once', streamId, points: 2500, source: 'order', sourceId: 'gold-at-once' });
    const { drop: winBack } = await host.dropCoupon(streamId, { ...drop, audience: { segments: ['at-risk', 'dormant'] } });
    const { drop: forGold } = await host.dropCoupon(streamId, { ...drop, audience: { tiers: ['gold'] } });
    const subs = [PEOPLE.loyal, PEOPLE.atRisk, PEOPLE.dormant, PEOPLE.fresh, 'tg-gold-at-once'];
    const clients = await Promise.all(subs.map((sub) => t.viewer(sub)));
    const acks = await Promise.all(clients.map((c) => c.join(streamId)));
    expect(acks.map((a) => a.drops.map((d) => d.id))).toEqual([[], [winBack.id], [winBack.id], [], [forGold.id]]);
  });

  it('targets loyalty tiers too, and both filters together', async () => {
    const { streamId, host, viewers } = await liveRoom('tiers');
    await grantPoints(t.app.ctx, { brandId: BRAND, viewerId: PEOPLE.fresh, streamId, points: 2500, source: 'order', sourceId: 'gold-maker' });
    // the join's standing is cached on the node for a minute: a fresh join after that reads the new tier
    t.clock.advance(61_000);
    const gold = await t.joinedViewer(streamId, PEOPLE.fresh);
    const { drop: forGold } = await host.dropCoupon(streamId, { ...drop, audience: { tiers: ['gold'] } });
    const { drop: loyalGold } = await host.dropCoupon(streamId, { ...drop, audience: { segments: ['loyal'], tiers: ['gold'] } });
    expect((await gold.claimCoupon(forGold.id)).code).toBeTruthy();
    await expect(viewers.loyal.claimCoupon(forGold.id)).rejects.toThrow(/for tier gold; you are bronze/);
    await expect(gold.claimCoupon(loyalGold.id)).rejects.toThrow(/for loyal viewers; you are new/);
    await expect(viewers.loyal.claimCoupon(loyalGold.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'audience' });
  });
});

describe('targeted lotteries', () => {
  it('starts a thank-you lottery for loyal viewers only: the others neither see it nor can enter', async () => {
    const { streamId, host, viewers } = await liveRoom('thanks');
    const started = Object.fromEntries(Object.entries(viewers).map(([who, v]) => [who, collect<LotteryPublic>(v, 'lottery:started')]));
    const drawn = Object.fromEntries(Object.entries(viewers).map(([who, v]) => [who, collect(v, 'lottery:drawn')]));
    const loyalSees = viewers.loyal.once('lottery:started');
    const { lottery } = await host.createLottery(streamId, { prize: 'Tote bag', winners: 1, durationSec: 600, audience: { segments: ['loyal'] } });
    expect(await loyalSees).toMatchObject({ id: lottery.id, audience: { segments: ['loyal'] } });
    await viewers.loyal.enterLottery(lottery.id);
    for (const who of ['atRisk', 'dormant', 'fresh'] as const) {
      await expect(viewers[who].enterLottery(lottery.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'audience' });
      const ack = await (await t.viewer(PEOPLE[who])).join(streamId);
      expect(ack.lottery).toBeUndefined();
    }
    expect((await (await t.viewer(PEOPLE.loyal)).join(streamId)).lottery).toMatchObject({ id: lottery.id, entered: true });

    const drawnForLoyal = viewers.loyal.once('lottery:drawn');
    const { result } = await host.drawLottery(lottery.id);
    expect(result.winners).toEqual([PEOPLE.loyal]);
    await drawnForLoyal;
    // a push to the whole room afterwards: everything targeted before it has arrived by then
    const { drop: marker } = await host.dropCoupon(streamId, { ...drop, title: 'marker' });
    await Promise.all(Object.values(viewers).map((v) => v.once('coupon:dropped', (p) => p.id === marker.id)));
    for (const who of ['atRisk', 'dormant', 'fresh'] as const) {
      expect(started[who]).toEqual([]);
      expect(drawn[who]).toEqual([]);
    }
    expect(drawn.loyal).toHaveLength(1);
  });
});

const sizes = { question: 'Which colour next?', options: ['red', 'blue'] };

/** Every poll push a viewer receives from now on: started, running results and closed, by poll id. */
function collectPolls(v: ViewerClient) {
  return {
    started: collect<PollPublic>(v, 'poll:started'),
    results: collect<PollResults>(v, 'poll:results'),
    closed: collect<PollFinal>(v, 'poll:closed'),
  };
}
const pollIds = (seen: ReturnType<typeof collectPolls>) => ({
  started: seen.started.map((p) => p.id),
  results: [...new Set(seen.results.map((r) => r.pollId))],
  closed: seen.closed.map((r) => r.pollId),
});

async function summaryOf(streamId: string): Promise<StreamSummary> {
  const res = await t.http('GET', `/api/streams/${streamId}/summary`, { token: await t.token('brand', 'tg-analyst', { brandId: BRAND }) });
  expect(res.status, res.text).toBe(200);
  return StreamSummarySchema.parse(res.body);
}

describe('targeted polls', () => {
  it('runs a poll for loyal viewers only: the others are not shown it and cannot vote; the counts are exact', async () => {
    const { streamId, host, viewers } = await liveRoom('poll');
    const seen = Object.fromEntries(Object.entries(viewers).map(([who, v]) => [who, collectPolls(v)]));
    const loyalSees = viewers.loyal.once('poll:started');
    const hostSees = host.once('poll:started');
    const { poll } = await host.createPoll(streamId, { ...sizes, audience: { segments: ['loyal'] } });
    expect(await loyalSees).toMatchObject({ id: poll.id, question: sizes.question, audience: { segments: ['loyal'] } });
    expect((await hostSees).id).toBe(poll.id);

    // outside the audience: no poll in the join ack, a vote refused with the reason
    for (const who of ['atRisk', 'dormant', 'fresh'] as const) {
      expect((await (await t.viewer(PEOPLE[who])).join(streamId)).poll).toBeUndefined();
      await expect(viewers[who].vote(poll.id, 0)).rejects.toMatchObject({ code: 'not_eligible', reason: 'audience' });
    }
    await expect(viewers.dormant.vote(poll.id, 1)).rejects.toThrow(/this poll is for loyal viewers; you are dormant/);
    // the staff see every poll
    expect((await host.join(streamId)).poll).toMatchObject({ id: poll.id, audience: { segments: ['loyal'] } });

    // the loyal viewer votes, sees the running counts, and (a second tab) finds the poll in the join ack
    const loyalResults = viewers.loyal.once('poll:results', (r) => r.pollId === poll.id && r.votes === 1);
    const hostResults = host.once('poll:results', (r) => r.pollId === poll.id && r.votes === 1);
    expect(await viewers.loyal.vote(poll.id, 1)).toEqual({});
    expect(await loyalResults).toMatchObject({ counts: [0, 1], votes: 1 });
    await hostResults;
    const tab = await t.viewer(PEOPLE.loyal);
    expect((await tab.join(streamId)).poll).toMatchObject({ id: poll.id, results: { counts: [0, 1], votes: 1 } });
    await expect(tab.vote(poll.id, 0)).rejects.toMatchObject({ code: 'already_done' });

    // the refused votes changed nothing
    const loyalClosed = viewers.loyal.once('poll:closed', (r) => r.pollId === poll.id);
    const { result } = await host.closePoll(poll.id);
    expect(result).toMatchObject({ counts: [0, 1], votes: 1 });
    expect(await loyalClosed).toMatchObject({ counts: [0, 1], votes: 1 });

    // an untargeted poll after it reaches everyone, as before; by then every targeted push has arrived
    const { poll: open } = await host.createPoll(streamId, { question: 'For all?', options: ['yes', 'no'] });
    await Promise.all(Object.values(viewers).map((v) => v.once('poll:started', (p) => p.id === open.id)));
    await viewers.fresh.vote(open.id, 0);
    for (const who of ['atRisk', 'dormant', 'fresh'] as const) {
      expect(pollIds(seen[who]!)).toEqual({ started: [open.id], results: expect.not.arrayContaining([poll.id]), closed: [] });
      expect((await (await t.viewer(PEOPLE[who])).join(streamId)).poll).toMatchObject({ id: open.id });
    }
    expect(pollIds(seen.loyal!)).toMatchObject({ started: [poll.id, open.id], closed: [poll.id] });
    expect(seen.loyal!.results.map((r) => r.pollId)).toContain(poll.id);

    // the brand's summary says who the targeted poll was for
    const s = await summaryOf(streamId);
    expect(s.polls).toEqual([
      { pollId: poll.id, question: sizes.question, options: sizes.options, counts: [0, 1], votes: 1, status: 'closed', closedAt: expect.any(Number), audience: { segments: ['loyal'] } },
      { pollId: open.id, question: 'For all?', options: ['yes', 'no'], counts: [1, 0], votes: 1, status: 'open', closedAt: null },
    ]);
  });

  it("sends the worker's close of a targeted timed poll to its audience only", async () => {
    const { streamId, host, viewers } = await liveRoom('poll-timer');
    const closed = Object.fromEntries(Object.entries(viewers).map(([who, v]) => [who, collect<PollFinal>(v, 'poll:closed')]));
    const { poll } = await host.createPoll(streamId, { ...sizes, durationSec: 1, audience: { segments: ['dormant'] } });
    await viewers.dormant.vote(poll.id, 0);
    const dormantSees = viewers.dormant.once('poll:closed', (r) => r.pollId === poll.id, 15_000);
    const hostSees = host.once('poll:closed', (r) => r.pollId === poll.id, 15_000);
    t.clock.advance(1000);
    expect(await dormantSees).toMatchObject({ counts: [1, 0], votes: 1, announcementId: `poll.closed.${poll.id}` });
    await hostSees;
    const { poll: marker } = await host.createPoll(streamId, { question: 'marker', options: ['a', 'b'] });
    await Promise.all(Object.values(viewers).map((v) => v.once('poll:started', (p) => p.id === marker.id)));
    for (const who of ['loyal', 'atRisk', 'fresh'] as const) expect(closed[who]).toEqual([]);
  });
});

describe('targeting across nodes', () => {
  it('carries a targeted push from the node that made it to the eligible viewers of another node only', async () => {
    const nodes = await startTwoNodesAndWorker();
    try {
      const streamId = await nodes.a.createStream('two nodes', BRAND, { start: true });
      await grantPoints(nodes.a.app.ctx, { brandId: BRAND, viewerId: 'tn-gold', streamId, points: 2500, source: 'order', sourceId: 'tn' });
      const host = await nodes.a.streamer('tn-host', BRAND);
      await host.join(streamId);
      const gold = await nodes.b.joinedViewer(streamId, 'tn-gold');
      const bronze = await nodes.b.joinedViewer(streamId, 'tn-bronze');
      const bronzeSaw = collect<DropPublic>(bronze, 'coupon:dropped');
      const goldSees = gold.once('coupon:dropped');
      const { drop: d } = await host.dropCoupon(streamId, { ...drop, audience: { tiers: ['gold'] } });
      expect((await goldSees).id).toBe(d.id);
      expect((await gold.claimCoupon(d.id)).code).toBeTruthy();
      await expect(bronze.claimCoupon(d.id)).rejects.toMatchObject({ code: 'not_eligible', reason: 'audience' });
      const { drop: marker } = await host.dropCoupon(streamId, { ...drop, title: 'marker' });
      await bronze.once('coupon:dropped', (p) => p.id === marker.id);
      expect(bronzeSaw.map((p) => p.id)).toEqual([marker.id]);
    } finally {
      await nodes.close();
    }
  });

  it('carries a targeted poll from one node to the eligible viewers of another only', async () => {
    const nodes = await startTwoNodesAndWorker();
    try {
      const streamId = await nodes.a.createStream('two nodes poll', BRAND, { start: true });
      await grantPoints(nodes.a.app.ctx, { brandId: BRAND, viewerId: 'tnp-gold', streamId, points: 2500, source: 'order', sourceId: 'tnp' });
      const host = await nodes.a.streamer('tnp-host', BRAND);
      await host.join(streamId);
      const gold = await nodes.b.joinedViewer(streamId, 'tnp-gold');
      const bronze = await nodes.b.joinedViewer(streamId, 'tnp-bronze');
      const bronzeSaw = collectPolls(bronze);
      const goldSees = gold.once('poll:started');
      const { poll } = await host.createPoll(streamId, { ...sizes, audience: { tiers: ['gold'] } });
      expect((await goldSees).id).toBe(poll.id);
      // a vote on node b: its running counts reach the host on node a
      const hostResults = host.once('poll:results', (r) => r.pollId === poll.id && r.votes === 1);
      const goldResults = gold.once('poll:results', (r) => r.pollId === poll.id && r.votes === 1);
      await gold.vote(poll.id, 1);
      await Promise.all([hostResults, goldResults]);
      await expect(bronze.vote(poll.id, 0)).rejects.toMatchObject({ code: 'not_eligible', reason: 'audience' });
      const goldClosed = gold.once('poll:closed', (r) => r.pollId === poll.id);
      expect((await host.closePoll(poll.id)).result).toMatchObject({ counts: [0, 1], votes: 1 });
      await goldClosed;
      const { poll: marker } = await host.createPoll(streamId, { question: 'marker', options: ['a', 'b'] });
      await bronze.once('poll:started', (p) => p.id === marker.id);
      expect(pollIds(bronzeSaw)).toEqual({ started: [marker.id], results: [], closed: [] });
    } finally {
      await nodes.close();
    }
  });
});
