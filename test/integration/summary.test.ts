import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { verifyDraw, type LotteryDrawn, type OrderWebhookBody, type StreamerClient, type StreamSummary, type ViewerClient } from '@stickyroom/sdk';
import { StreamSummary as StreamSummarySchema } from '@stickyroom/sdk/protocol';
import { recordActivity } from '../../core/src/activity/activity.store.js';
import type { ActivityMetric } from '../../core/src/activity/activity.metrics.js';
import { viewerScores } from '../../core/src/scoring/scoring.store.js';
import { summaryKeys } from '../../core/src/summary/summary.keys.js';
import { createLogger } from '../../core/src/logger.js';
import { processors } from '../../worker/src/processors/index.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { startTestApp, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';

const BRAND = 'brand-sum';
const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);
const T1 = T0 + 3600_000;

let t: TestApp;
let worker: RunningWorker;
let host: string;
let brandToken: string;
beforeAll(async () => {
  t = await startTestApp({ REACTION_FLUSH_MS: '100' });
  worker = startWorker({ config: t.config, log: createLogger('silent', 'test-worker'), clock: t.clock });
  host = await t.token('streamer', `host-${BRAND}`, { brandId: BRAND });
  brandToken = await t.token('brand', 'analyst', { brandId: BRAND });
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
});

const at = (ms: number) => t.clock.set(ms);
const sec = (s: number) => T1 + s * 1000;

/** Resolves when the worker has run this stream's job of this type (the end of a stream queues a finalize and a rollup). */
function jobDone(type: 'stream.finalize' | 'rollup', streamId: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const done = (job: Job, result: unknown) => {
      if (job.data.type !== type || job.data.streamId !== streamId) return;
      worker.worker.off('completed', done);
      worker.worker.off('failed', failed);
      resolve(result);
    };
    const failed = (job: Job | undefined, err: Error) => {
      if (job?.data.type !== type || job.data.streamId !== streamId) return;
      worker.worker.off('completed', done);
      worker.worker.off('failed', failed);
      reject(err);
    };
    worker.worker.on('completed', done);
    worker.worker.on('failed', failed);
  });
}

async function viewers(streamId: string, ids: string[]): Promise<Record<string, ViewerClient>> {
  const out: Record<string, ViewerClient> = {};
  for (const id of ids) {
    out[id] = await t.viewer(id);
    await out[id].join(streamId);
  }
  return out;
}

async function beat(streamId: string, clients: ViewerClient[], visible = true): Promise<void> {
  await Promise.all(clients.map((c) => c.request('presence:heartbeat', { streamId, visible })));
}

/** Late activity written straight to the ledger (every feature records through this). */
function record(streamId: string, viewerId: string, metric: ActivityMetric, n = 1): Promise<number> {
  return recordActivity(t.app.ctx.redis, t.app.ctx.keys, { streamId, viewerId, metric, n, at: t.clock.now() });
}

async function summaryOf(streamId: string, token = brandToken): Promise<StreamSummary> {
  const res = await t.http('GET', `/api/streams/${streamId}/summary`, { token });
  expect(res.status, res.text).toBe(200);
  return StreamSummarySchema.parse(res.body);
}

let first: string;
let second: string;
let staff: StreamerClient;
let quizId: string;
let lotteryId: string;
let dropId: string;
let draw: LotteryDrawn;

/** The commerce backend reporting an order, signed as the webhook requires. */
async function order(body: OrderWebhookBody): Promise<void> {
  const raw = JSON.stringify(body);
  const res = await t.http('POST', '/api/webhooks/orders', { raw, headers: { 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, raw) } });
  expect(res.status, res.text).toBeLessThan(300);
}

describe('post-stream summary across two streams of a brand', () => {
  it('finalizes the earlier stream when it ends', async () => {
    at(T0);
    first = await t.createStream('Earlier stream', BRAND);
    const v = await viewers(first, ['ann', 'bob', 'cat']);
    await t.http('POST', `/api/streams/${first}/start`, { token: host });
    await beat(first, Object.values(v));
    at(T0 + 15_000);
    await beat(first, Object.values(v));
    await order({ orderId: 'o-0', viewerId: 'bob', amount: 25, currency: 'EUR', streamId: first });
    at(T0 + 20_000);
    const done = Promise.all([jobDone('stream.finalize', first), jobDone('rollup', first)]);
    await t.http('POST', `/api/streams/${first}/end`, { token: host });
    expect((await done)[0]).toEqual({ outcome: 'stored' });
    for (const c of Object.values(v)) c.close();

    const s = await summaryOf(first);
    expect(s).toMatchObject({
      final: true,
      status: 'ended',
      durationSec: 20,
      uniqueViewers: 3,
      newViewers: 3,
      returningViewers: 0,
      previousStreamId: null,
      churnRate: null,
      totalWatchSec: 45,
      orders: 1,
      buyers: 1,
      revenue: 25,
    });
  });

  it('serves a live (partial) summary while the stream runs', async () => {
    at(T1 - 10_000);
    second = await t.createStream('Spring drop', BRAND);
    const v = await viewers(second, ['bob', 'cat', 'dan', 'eve', 'fay']);
    staff = await t.streamer(`host-${BRAND}`, BRAND);
    await staff.join(second);
    const mod = await t.streamer('mod', BRAND, { role: 'moderator' });
    await mod.join(second);
    at(T1);
    await t.http('POST', `/api/streams/${second}/start`, { token: host });

    // minute 0: everyone is seen; bob, cat, eve and fay start watching, dan keeps the page hidden
    await beat(second, [v.bob!, v.cat!, v.eve!, v.fay!]);
    await beat(second, [v.dan!], false);
    at(sec(15));
    await beat(second, [v.bob!, v.cat!, v.eve!, v.fay!]);
    await beat(second, [v.dan!], false);
    at(sec(30));
    await beat(second, [v.bob!, v.eve!]);
    await v.bob!.chat(second, 'hello everyone');
    await v.bob!.chat(second, 'great price');
    await v.dan!.chat(second, 'hi');
    const liked = v.eve!.once('reaction:totals', (e) => e.streamId === second && e.totals.like === 5);
    await v.eve!.react(second, 'like', 5);
    await liked;

    const live = await summaryOf(second);
    expect(live).toMatchObject({ final: false, status: 'live', uniqueViewers: 5, chatMessages: 3, chatters: 2, likes: 5, durationSec: 30 });
    expect(live.timeline).toHaveLength(1);

    // minute 1: more watching (cat's gap of 45 s credits nothing), a quiz, a lottery, a drop, a pin
    at(sec(60));
    await beat(second, [v.bob!, v.cat!, v.eve!]);
    at(sec(61));
    const { quiz } = await staff.createQuiz(second, { question: 'Which color?', options: ['red', 'blue'], correctOption: 1, durationSec: 30, reward: { points: 5 } });
    quizId = quiz.id;
    await v.bob!.answerQuiz(quiz.id, 1);
    await v.cat!.answerQuiz(quiz.id, 0);
    await v.eve!.answerQuiz(quiz.id, 1);
    await staff.closeQuiz(quiz.id);
    at(sec(62));
    const { lottery } = await staff.createLottery(second, { prize: 'Tote bag', winners: 1, durationSec: 30 });
    lotteryId = lottery.id;
    await v.bob!.enterLottery(lottery.id);
    await v.dan!.enterLottery(lottery.id);
    draw = (await staff.drawLottery(lottery.id)).result;
    at(sec(63));
    const { drop } = await staff.dropCoupon(second, { title: '10% off', discount: { type: 'percent', value: 10 }, quantity: 10, durationSec: 60 });
    dropId = drop.id;
    await v.bob!.claimCoupon(drop.id);
    const eveCode = (await v.eve!.claimCoupon(drop.id)).code;
    at(sec(64));
    await staff.pinProduct(second, { id: 'coat', title: 'Trench coat', price: 120, currency: 'EUR' });
    await v.bob!.clickProduct(second, 'coat');
    await v.bob!.clickProduct(second, 'coat');
    await v.dan!.clickProduct(second, 'coat');
    const { question } = await v.cat!.ask(second, 'Is it waterproof?');
    await v.bob!.upvote(question.id);

    // minute 2: orders through the signed webhook (bob twice, eve once with her coupon, one replayed)
    at(sec(120));
    await order({ orderId: 'o-1', viewerId: 'bob', amount: 10, currency: 'EUR', streamId: second, at: sec(120) });
    await order({ orderId: 'o-2', viewerId: 'bob', amount: 30, currency: 'EUR', streamId: second, at: sec(121) });
    await order({ orderId: 'o-2', viewerId: 'bob', amount: 30, currency: 'EUR', streamId: second, at: sec(121) });
    await order({ orderId: 'o-3', viewerId: 'eve', amount: 20, currency: 'EUR', couponCode: eveCode, at: sec(122) });

    at(sec(150));
    const done = Promise.all([jobDone('stream.finalize', second), jobDone('rollup', second)]);
    await t.http('POST', `/api/streams/${second}/end`, { token: host });
    await done;
  });

  it('checks every figure of the final summary exactly', async () => {
    const s = await summaryOf(second);
    const minute = Math.floor(T1 / 60_000);
    // Scores and segments at the end must be what the scoring rollup stored for the same activity.
    const rated = new Map((await viewerScores(t.app.ctx, BRAND, ['bob', 'cat', 'dan', 'eve', 'fay'])).map((r) => [r.viewerId, r]));
    expect(rated.size).toBe(5);
    const standing = (id: string) => ({ score: rated.get(id)!.score, segment: rated.get(id)!.segment });
    const after = { new: 0, casual: 0, engaged: 0, loyal: 0, 'at-risk': 0, dormant: 0, unrated: 0 } as Record<string, number>;
    for (const r of rated.values()) after[r.segment]!++;
    // before: bob and cat had one earlier stream (new), dan, eve and fay none
    const before = { new: 2, casual: 0, engaged: 0, loyal: 0, 'at-risk': 0, dormant: 0, unrated: 3 } as Record<string, number>;
    expect(['dan', 'eve', 'fay'].map((id) => rated.get(id)!.segment)).toEqual(['new', 'new', 'new']);
    expect(rated.get('bob')!.segment).not.toBe('new');
    expect(s).toEqual({
      streamId: second,
      brandId: BRAND,
      title: 'Spring drop',
      status: 'ended',
      final: true,
      computedAt: sec(150),
      startedAt: T1,
      endedAt: sec(150),
      durationSec: 150,

      uniqueViewers: 5,
      peakConcurrent: 5,
      peakAt: T1,
      // bob 15+15+30, eve the same, cat 15, fay 15, dan 0 (hidden)
      totalWatchSec: 150,
      avgWatchSec: 30,
      medianWatchSec: 15,
      newViewers: 3,
      returningViewers: 2,
      previousStreamId: first,
      previousStreamViewers: 3,
      churnedViewers: 1,
      churnRate: 0.3333,

      chatMessages: 3,
      chatters: 2,
      likes: 5,
      likers: 1,
      questions: 1,
      askers: 1,
      upvotes: 1,
      // cat asked while the coat was pinned, was never answered, and did not click it afterwards
      qa: {
        questions: 1,
        answered: 0,
        unanswered: 1,
        unansweredRate: 1,
        answerLatencyP50Sec: null,
        answerLatencyP90Sec: null,
        askers: 1,
        askersWithPinned: 1,
        askersWhoClickedPinned: 0,
        askersWhoBoughtPinned: 0,
      },
      polls: [],

      quizzes: 1,
      quizAnswers: 3,
      quizParticipants: 3,
      quizParticipation: 0.6,
      quizCorrect: 2,
      quizAccuracy: 0.6667,

      lotteries: [{ lotteryId, prize: 'Tote bag', entrants: 2, winnerCount: 1, winners: draw.winners, seed: draw.seed, commitment: draw.commitment, entrantsHash: draw.entrantsHash }],
      lotteryEntries: 2,
      lotteryEntrants: 2,
      lotteryWinners: 1,

      couponDrops: 1,
      couponClaims: 2,
      couponClaimers: 2,
      couponRedemptions: 1,
      redemptionRate: 0.5,

      redemptions: 0,
      pointsRedeemed: 0,

      productPins: 1,
      productClicks: 3,
      clickers: 2,

      orders: 3,
      buyers: 2,
      revenueCents: 6000,
      revenue: 60,
      revenueByCurrency: { EUR: 6000 },
      conversionRate: 0.4,
      repeatBuyers: 1,
      returningBuyers: 1,

      engagedViewers: 4,
      engagementRate: 0.8,

      timeline: [
        { minute, at: minute * 60_000, viewers: 5, chat: 3, likes: 5, claims: 0, orders: 0 },
        { minute: minute + 1, at: (minute + 1) * 60_000, viewers: 3, chat: 0, likes: 0, claims: 2, orders: 0 },
        { minute: minute + 2, at: (minute + 2) * 60_000, viewers: 0, chat: 0, likes: 0, claims: 0, orders: 3 },
      ],
      moments: [
        { at: sec(61), minute: minute + 1, kind: 'quiz', id: quizId, label: 'Which color?' },
        { at: sec(62), minute: minute + 1, kind: 'lottery', id: lotteryId, label: 'Tote bag' },
        { at: sec(63), minute: minute + 1, kind: 'drop', id: dropId, label: '10% off' },
        { at: sec(64), minute: minute + 1, kind: 'product', id: 'coat', label: 'Trench coat' },
      ],
      segments: { before, after, change: Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!])) },
      topViewers: [
        { viewerId: 'bob', interactions: 8, likes: 0, watchSec: 60, orders: 2, revenueCents: 4000, ...standing('bob') },
        { viewerId: 'dan', interactions: 3, likes: 0, watchSec: 0, orders: 0, revenueCents: 0, ...standing('dan') },
        { viewerId: 'eve', interactions: 2, likes: 5, watchSec: 60, orders: 1, revenueCents: 2000, ...standing('eve') },
        { viewerId: 'cat', interactions: 2, likes: 0, watchSec: 15, orders: 0, revenueCents: 0, ...standing('cat') },
      ],
      // nobody watched the default 5 minutes
      survey: {
        question: 'How likely are you to recommend this stream to a friend?',
        minWatchMin: 5,
        closesAt: sec(150) + 48 * 3_600_000,
        open: true,
        eligible: 0,
        responses: 0,
        responseRate: null,
        promoters: 0,
        passives: 0,
        detractors: 0,
        nps: null,
      },
    });
  });

  it('gives what a brand needs to verify each lottery draw', async () => {
    const [outcome] = (await summaryOf(second)).lotteries;
    const entrants = await t.http('GET', `/api/lotteries/${lotteryId}/entrants`, { token: brandToken });
    expect(entrants.status).toBe(200);
    const { seed, commitment, winnerCount, winners, entrantsHash } = outcome!;
    const check = await verifyDraw({ seed: seed!, commitment: commitment!, winnerCount, winners, entrantsHash: entrantsHash!, entries: entrants.body.entries });
    expect(check.valid).toBe(true);
    expect(entrants.body.entrants).toEqual(['bob', 'dan']);
  });

  it('exports one CSV row per viewer', async () => {
    const res = await t.http('GET', `/api/streams/${second}/summary.csv`, { token: brandToken });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="stream-${second}-viewers.csv"`);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'viewerId,returning,firstAt,lastAt,watchSec,chat,likes,questions,upvotes,quizAnswers,quizCorrect,lotteryEntries,lotteryWins,couponClaims,couponRedemptions,clicks,orders,revenueCents,interactions',
    );
    const iso = (s: number) => new Date(sec(s)).toISOString();
    const won = (id: string) => (draw.winners.includes(id) ? 1 : 0);
    expect(lines.slice(1)).toEqual([
      `bob,true,${iso(0)},${iso(121)},60,2,0,0,1,1,1,1,${won('bob')},1,0,2,2,4000,8`,
      `cat,true,${iso(0)},${iso(64)},15,0,0,1,0,1,0,0,0,0,0,0,0,0,2`,
      `dan,false,${iso(30)},${iso(64)},0,1,0,0,0,0,0,1,${won('dan')},0,0,1,0,0,3`,
      `eve,false,${iso(0)},${iso(122)},60,0,5,0,0,1,1,0,0,1,1,0,1,2000,2`,
      `fay,false,${iso(0)},${iso(15)},15,0,0,0,0,0,0,0,0,0,0,0,0,0,0`,
    ]);
  });

  it('changes nothing when the stream is finalized a second time, even after late activity', async () => {
    const key = summaryKeys(t.app.ctx.keys, second).final;
    const before = await t.app.ctx.redis.get(key);
    at(sec(400));
    await record(second, 'fay', 'chat');
    const again = await processors['stream.finalize']!(worker.ctx, { type: 'stream.finalize', streamId: second });
    expect(again).toEqual({ outcome: 'already_stored' });
    expect(await t.app.ctx.redis.get(key)).toBe(before);
    expect((await summaryOf(second)).chatMessages).toBe(3);
  });

  it('lets the brand\'s staff read it, and refuses viewers and other brands', async () => {
    expect((await t.http('GET', `/api/streams/${second}/summary`, { token: host })).status).toBe(200);
    const other = await t.http('GET', `/api/streams/${second}/summary`, { token: await t.token('brand', 'spy', { brandId: 'brand-other' }) });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    const otherStaff = await t.http('GET', `/api/streams/${second}/summary.csv`, { token: await t.token('streamer', 'spy', { brandId: 'brand-other' }) });
    expect(otherStaff.status).toBe(403);
    expect((await t.http('GET', `/api/streams/${second}/summary`, { token: await t.token('viewer', 'bob') })).status).toBe(403);
    expect((await t.http('GET', `/api/streams/${second}/summary`)).status).toBe(401);
    expect((await t.http('GET', '/api/streams/nope/summary', { token: brandToken })).status).toBe(404);
  });
});

describe('finalization', () => {
  it('counts likes sent just before the end, still being coalesced on the node', async () => {
    const brand = 'brand-late';
    const staffToken = await t.token('streamer', `host-${brand}`, { brandId: brand });
    at(T1 + 5 * 3600_000);
    const id = await t.createStream('Last second', brand, { start: true });
    const { fan } = await viewers(id, ['fan']);
    await fan!.react(id, 'like', 7);
    const done = jobDone('stream.finalize', id);
    await t.http('POST', `/api/streams/${id}/end`, { token: staffToken });
    await done;
    expect(await summaryOf(id, staffToken)).toMatchObject({ final: true, likes: 7, likers: 1 });
  });
});

describe('new and returning viewers', () => {
  it('counts viewers of an earlier stream that was never finalized (still live) as returning', async () => {
    const brand = 'brand-overlap';
    const staff = await t.token('streamer', `host-${brand}`, { brandId: brand });
    at(T1 + 7200_000);
    const a = await t.createStream('Still live', brand, { start: true });
    await viewers(a, ['gus', 'hal']);
    at(T1 + 7260_000);
    const b = await t.createStream('Next', brand, { start: true });
    await viewers(b, ['hal', 'ivy']);
    const s = await summaryOf(b, staff);
    expect(s).toMatchObject({ uniqueViewers: 2, newViewers: 1, returningViewers: 1, previousStreamId: a, previousStreamViewers: 2, churnedViewers: 1, churnRate: 0.5 });
  });
});
