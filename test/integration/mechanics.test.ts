import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import type { OrderWebhookBody, StreamerClient, ViewerClient } from '@stickyroom/sdk';
import { BrandMechanicsPage } from '@stickyroom/sdk/protocol';
import { createLogger } from '../../core/src/logger.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { startTestApp, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';

/**
 * A scripted stream of 21 minutes whose every mechanic figure is known in advance. Presence by minute
 * (one visible heartbeat in each minute a viewer is there):
 *
 *   ann, bob  0..20      cat  0..8      dan  0..15      eve  4..20      fay  8..20
 *
 * Moments: quiz at 6 (ann right, bob wrong; 5 points to the right answer), coupon drop at 7 (ann and cat
 * claim; 5.00 off), pin `coat` at 10 (bob clicks at 10, fay at 11), lottery at 12 (dan and eve enter),
 * fay's question (asked at 9, upvoted by bob) answered at 13 with 10 points, pin `scarf` at 15 (eve clicks
 * at 16). Chat: ann 1 at minute 2, bob 2 at 6, eve 1 at 8, fay 1 at 12. Orders: dan 10 at 3 and 20 at 14,
 * ann 40 at 9 with her drop code, fay 15 at 16. Every viewer is new to the brand (segment `none`). The
 * brand's next stream is watched by ann, dan and fay.
 */
const BRAND = 'brand-mech';
const T = Date.UTC(2026, 3, 1, 10, 0, 0);
const at = (minute: number, sec = 0) => T + minute * 60_000 + sec * 1000;

let t: TestApp;
let worker: RunningWorker;
let host: string;
let brandToken: string;
let staff: StreamerClient;
const v: Record<string, ViewerClient> = {};
let streamA: string;
let streamB: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  worker = startWorker({ config: t.config, log: createLogger('silent', 'test-worker'), clock: t.clock });
  host = await t.token('streamer', `host-${BRAND}`, { brandId: BRAND });
  brandToken = await t.token('brand', 'analyst', { brandId: BRAND });
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
});

function finalized(streamId: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const done = (job: Job, result: unknown) => {
      if (job.data.type !== 'stream.finalize' || job.data.streamId !== streamId) return;
      worker.worker.off('completed', done);
      worker.worker.off('failed', failed);
      resolve(result);
    };
    const failed = (job: Job | undefined, err: Error) => {
      if (job?.data.type !== 'stream.finalize' || job.data.streamId !== streamId) return;
      worker.worker.off('completed', done);
      worker.worker.off('failed', failed);
      reject(err);
    };
    worker.worker.on('completed', done);
    worker.worker.on('failed', failed);
  });
}

async function order(body: OrderWebhookBody): Promise<void> {
  const raw = JSON.stringify(body);
  const res = await t.http('POST', '/api/webhooks/orders', { raw, headers: { 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, raw) } });
  expect(res.status, res.text).toBeLessThan(300);
}

const PRESENT: Record<string, [number, number]> = { ann: [0, 20], bob: [0, 20], cat: [0, 8], dan: [0, 15], eve: [4, 20], fay: [8, 20] };

/** Minute m of stream A: each viewer present then sends one visible heartbeat at second 1. */
async function minute(m: number): Promise<void> {
  t.clock.set(at(m, 1));
  const here = Object.entries(PRESENT).filter(([, [a, b]]) => m >= a && m <= b);
  await Promise.all(here.map(([id]) => v[id]!.request('presence:heartbeat', { streamId: streamA, visible: true })));
}

async function mechanics(query = '', token = brandToken) {
  return t.http('GET', `/api/brands/${BRAND}/mechanics${query}`, { token });
}

describe('what each mechanic is worth, over a scripted stream', () => {
  it('plays the stream and the brand\'s next one', async () => {
    t.clock.set(T - 60_000);
    streamA = await t.createStream('Mechanics stream', BRAND);
    staff = await t.streamer(`host-${BRAND}`, BRAND);
    await staff.join(streamA);
    for (const id of Object.keys(PRESENT)) {
      v[id] = await t.viewer(id);
      await v[id]!.join(streamA);
    }
    t.clock.set(T);
    expect((await t.http('POST', `/api/streams/${streamA}/start`, { token: host })).status).toBe(200);

    for (let m = 0; m <= 20; m++) {
      await minute(m);
      switch (m) {
        case 2:
          await v.ann!.chat(streamA, 'hello');
          break;
        case 3:
          await order({ orderId: 'o-d1', viewerId: 'dan', amount: 10, currency: 'EUR', streamId: streamA, at: at(3, 2) });
          break;
        case 6: {
          await v.bob!.chat(streamA, 'nice');
          await v.bob!.chat(streamA, 'love it');
          t.clock.set(at(6, 10));
          const { quiz } = await staff.createQuiz(streamA, { question: 'Which color?', options: ['red', 'blue'], correctOption: 1, durationSec: 30, reward: { points: 5 } });
          ids.quiz = quiz.id;
          await v.ann!.answerQuiz(quiz.id, 1);
          await v.bob!.answerQuiz(quiz.id, 0);
          t.clock.set(at(6, 20));
          await staff.closeQuiz(quiz.id);
          break;
        }
        case 7: {
          t.clock.set(at(7, 5));
          const { drop } = await staff.dropCoupon(streamA, { title: '5 off', discount: { type: 'amount', value: 5 }, quantity: 10, durationSec: 60 });
          ids.drop = drop.id;
          t.clock.set(at(7, 10));
          ids.annCode = (await v.ann!.claimCoupon(drop.id)).code;
          t.clock.set(at(7, 15));
          await v.cat!.claimCoupon(drop.id);
          break;
        }
        case 8:
          await v.eve!.chat(streamA, 'wow');
          break;
        case 9: {
          await order({ orderId: 'o-a1', viewerId: 'ann', amount: 40, currency: 'EUR', couponCode: ids.annCode!, at: at(9, 2) });
          t.clock.set(at(9, 5));
          const { question } = await v.fay!.ask(streamA, 'Is it waterproof?');
          ids.question = question.id;
          t.clock.set(at(9, 10));
          await v.bob!.upvote(question.id);
          break;
        }
        case 10:
          t.clock.set(at(10, 5));
          await staff.pinProduct(streamA, { id: 'coat', title: 'Trench coat', price: 120, currency: 'EUR' });
          t.clock.set(at(10, 10));
          await v.bob!.clickProduct(streamA, 'coat');
          break;
        case 11:
          t.clock.set(at(11, 5));
          await v.fay!.clickProduct(streamA, 'coat');
          break;
        case 12: {
          await v.fay!.chat(streamA, 'hello all');
          t.clock.set(at(12, 5));
          const { lottery } = await staff.createLottery(streamA, { prize: 'Tote bag', winners: 1, durationSec: 30 });
          ids.lottery = lottery.id;
          t.clock.set(at(12, 10));
          await v.dan!.enterLottery(lottery.id);
          await v.eve!.enterLottery(lottery.id);
          break;
        }
        case 13:
          t.clock.set(at(13, 5));
          await staff.markAnswered(ids.question!, { points: 10 });
          break;
        case 14:
          await order({ orderId: 'o-d2', viewerId: 'dan', amount: 20, currency: 'EUR', streamId: streamA, at: at(14, 2) });
          break;
        case 15:
          t.clock.set(at(15, 5));
          await staff.pinProduct(streamA, { id: 'scarf', title: 'Silk scarf', price: 60, currency: 'EUR' });
          break;
        case 16:
          await order({ orderId: 'o-f1', viewerId: 'fay', amount: 15, currency: 'EUR', streamId: streamA, at: at(16, 2) });
          t.clock.set(at(16, 5));
          await v.eve!.clickProduct(streamA, 'scarf');
          break;
      }
    }
    t.clock.set(at(20, 30));
    const doneA = finalized(streamA);
    expect((await t.http('POST', `/api/streams/${streamA}/end`, { token: host })).status).toBe(200);
    await doneA;

    // the brand's next stream: ann, dan and fay come back
    t.clock.set(at(60));
    streamB = await t.createStream('Next stream', BRAND);
    for (const id of ['ann', 'dan', 'fay']) await v[id]!.join(streamB);
    t.clock.set(at(61));
    await t.http('POST', `/api/streams/${streamB}/start`, { token: host });
    t.clock.set(at(70));
    const doneB = finalized(streamB);
    await t.http('POST', `/api/streams/${streamB}/end`, { token: host });
    await doneB;
  });

  it('answers every figure of every moment exactly', async () => {
    const res = await mechanics(`?from=${T - 3600_000}&to=${new Date(at(120)).toISOString()}`);
    expect(res.status, res.text).toBe(200);
    const r = BrandMechanicsPage.parse(res.body);
    expect(r).toMatchObject({ brandId: BRAND, from: T - 3600_000, to: at(120), streams: [streamA, streamB], observational: true });
    expect(r.note).toMatch(/not experiments/);
    const win = (w: number[], perMinute: [number | null, number | null]) => ({
      minutesBefore: w[0],
      minutesAfter: w[1],
      chatBefore: w[2],
      chatAfter: w[3],
      claimsBefore: w[4],
      claimsAfter: w[5],
      clicksBefore: w[6],
      clicksAfter: w[7],
      ordersBefore: w[8],
      ordersAfter: w[9],
      chatPerMinuteBefore: perMinute[0],
      chatPerMinuteAfter: perMinute[1],
    });
    const cost = (couponDiscount: number | null, pointsGranted: number | null, newBuyers: number, perBuyer: [number | null, number | null]) => ({
      couponDiscount,
      pointsGranted,
      newBuyers,
      couponDiscountPerNewBuyer: perBuyer[0],
      pointsPerNewBuyer: perBuyer[1],
    });
    const base = { streamId: streamA, presentAtMoment: 5 };
    expect(r.moments).toEqual([
      {
        ...base,
        id: ids.quiz,
        type: 'quiz',
        at: at(6, 10),
        label: 'Which color?',
        stillPresent5: 4,
        stillPresent10: 3,
        retention5: 0.8,
        retention10: 0.6,
        window: win([5, 5, 1, 3, 0, 2, 0, 1, 1, 1], [0.2, 0.6]),
        // ann, bob (answered) against cat, dan: all with 6 minutes so far; eve (2 minutes) is in another bucket
        touched: 2,
        comparison: {
          touchedMatched: 2,
          controls: 2,
          watchMinutesAfter: { touched: 14, control: 5.5 },
          returnedNextStream: { touched: 0.5, control: 0.5 },
          ordersAfter: { touched: 0.5, control: 0.5 },
        },
        claimAndLeave: null,
        cost: cost(null, 5, 1, [null, 5]),
      },
      {
        ...base,
        id: ids.drop,
        type: 'drop',
        at: at(7, 5),
        label: '5 off',
        stillPresent5: 4,
        stillPresent10: 3,
        retention5: 0.8,
        retention10: 0.6,
        window: win([5, 5, 3, 1, 0, 2, 0, 2, 1, 1], [0.6, 0.2]),
        touched: 2,
        comparison: {
          touchedMatched: 2,
          controls: 2,
          watchMinutesAfter: { touched: 7, control: 10.5 },
          returnedNextStream: { touched: 0.5, control: 0.5 },
          ordersAfter: { touched: 0.5, control: 0.5 },
        },
        // cat claimed at 7 and was last seen at 8
        claimAndLeave: { claimers: 2, left: 1, rate: 0.5 },
        // ann's code, redeemed by her order: 5.00 off
        cost: cost(5, null, 1, [5, null]),
      },
      {
        ...base,
        id: 'coat',
        type: 'product',
        at: at(10, 5),
        label: 'Trench coat',
        stillPresent5: 5,
        stillPresent10: 4,
        retention5: 1,
        retention10: 0.8,
        window: win([5, 5, 3, 1, 2, 0, 0, 2, 1, 1], [0.6, 0.2]),
        // bob against ann, dan, eve; fay (2 minutes so far) has nobody to compare with
        touched: 2,
        comparison: {
          touchedMatched: 1,
          controls: 3,
          watchMinutesAfter: { touched: 10, control: 8.33 },
          returnedNextStream: { touched: 0, control: 0.67 },
          ordersAfter: { touched: 0, control: 0.33 },
        },
        claimAndLeave: null,
        cost: cost(null, null, 1, [null, null]),
      },
      {
        ...base,
        id: ids.lottery,
        type: 'lottery',
        at: at(12, 5),
        label: 'Tote bag',
        stillPresent5: 4,
        stillPresent10: null,
        retention5: 0.8,
        retention10: null,
        window: win([5, 5, 1, 1, 2, 0, 2, 1, 1, 2], [0.2, 0.2]),
        touched: 2,
        comparison: {
          touchedMatched: 2,
          controls: 2,
          watchMinutesAfter: { touched: 5.5, control: 8 },
          returnedNextStream: { touched: 0.5, control: 0.5 },
          ordersAfter: { touched: 0.5, control: 0 },
        },
        claimAndLeave: null,
        // dan bought before the lottery: no new buyer
        cost: cost(null, 0, 0, [null, null]),
      },
      {
        ...base,
        id: ids.question,
        type: 'qa',
        at: at(13, 5),
        label: 'Is it waterproof?',
        stillPresent5: 4,
        stillPresent10: null,
        retention5: 0.8,
        retention10: null,
        window: win([5, 5, 2, 0, 0, 0, 2, 1, 1, 2], [0.4, 0]),
        // fay (asked) and bob (upvoted) against ann, dan, eve
        touched: 2,
        comparison: {
          touchedMatched: 2,
          controls: 3,
          watchMinutesAfter: { touched: 7, control: 5.33 },
          returnedNextStream: { touched: 0.5, control: 0.67 },
          ordersAfter: { touched: 0.5, control: 0.33 },
        },
        claimAndLeave: null,
        cost: cost(null, 10, 1, [null, 10]),
      },
      {
        ...base,
        id: 'scarf',
        type: 'product',
        at: at(15, 5),
        label: 'Silk scarf',
        stillPresent5: 4,
        stillPresent10: null,
        retention5: 0.8,
        retention10: null,
        window: win([5, 5, 1, 0, 0, 0, 2, 1, 1, 1], [0.2, 0]),
        // eve (11 minutes so far) against fay (7): ann, bob and dan have 15, the next bucket
        touched: 1,
        comparison: {
          touchedMatched: 1,
          controls: 1,
          watchMinutesAfter: { touched: 5, control: 5 },
          returnedNextStream: { touched: 0, control: 1 },
          ordersAfter: { touched: 0, control: 1 },
        },
        claimAndLeave: null,
        cost: cost(null, null, 0, [null, null]),
      },
    ]);
  });

  it('pools each mechanic type over its moments, with the number of moments behind each figure', async () => {
    const r = BrandMechanicsPage.parse((await mechanics()).body);
    expect(r.byType.map((x) => [x.type, x.moments])).toEqual([
      ['quiz', 1],
      ['lottery', 1],
      ['drop', 1],
      ['product', 2],
      ['qa', 1],
    ]);
    const product = r.byType.find((x) => x.type === 'product');
    expect(product).toEqual({
      type: 'product',
      moments: 2,
      presentAtMoment: 10,
      retention5: { value: 0.9, moments: 2 },
      retention10: { value: 0.8, moments: 1 },
      perMinute: {
        moments: 2,
        chatBefore: 0.4,
        chatAfter: 0.1,
        claimsBefore: 0.2,
        claimsAfter: 0,
        clicksBefore: 0.2,
        clicksAfter: 0.3,
        ordersBefore: 0.2,
        ordersAfter: 0.2,
      },
      touched: 3,
      touchedMatched: 2,
      controls: 4,
      watchMinutesAfter: { touched: 7.5, control: 6.67, moments: 2 },
      returnedNextStream: { touched: 0, control: 0.83, moments: 2 },
      ordersAfter: { touched: 0, control: 0.67, moments: 2 },
      claimAndLeave: null,
      cost: { couponDiscount: { value: null, moments: 0 }, pointsGranted: { value: null, moments: 0 }, newBuyers: 1, couponDiscountPerNewBuyer: null, pointsPerNewBuyer: null },
    });
    const drop = r.byType.find((x) => x.type === 'drop')!;
    expect(drop.claimAndLeave).toEqual({ claimers: 2, left: 1, rate: 0.5, moments: 1 });
    expect(drop.cost).toEqual({ couponDiscount: { value: 5, moments: 1 }, pointsGranted: { value: null, moments: 0 }, newBuyers: 1, couponDiscountPerNewBuyer: 5, pointsPerNewBuyer: null });
    const qa = r.byType.find((x) => x.type === 'qa')!;
    expect(qa.cost.pointsGranted).toEqual({ value: 10, moments: 1 });
    expect(qa.retention10).toEqual({ value: null, moments: 0 });
  });

  it('is for the brand\'s own team and admins only', async () => {
    expect((await mechanics('', await t.token('viewer', 'ann'))).status).toBe(403);
    expect((await mechanics('', await t.token('brand', 'other', { brandId: 'brand-other' }))).status).toBe(403);
    expect((await mechanics('', await t.token('admin', 'root'))).status).toBe(200);
    expect((await mechanics(`?from=${at(1)}&to=${at(0)}`)).status).toBe(400);
    // a range with no streams has no moments
    const empty = BrandMechanicsPage.parse((await mechanics(`?from=${at(200)}&to=${at(300)}`)).body);
    expect(empty).toMatchObject({ streams: [], byType: [], moments: [] });
  });
});
