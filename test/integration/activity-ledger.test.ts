import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamSummary, ViewerClient } from '@stickyroom/sdk';
import { StreamSummary as StreamSummarySchema } from '@stickyroom/sdk/protocol';
import { streamTotals, viewerActivity } from '../../core/src/activity/activity.store.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ EVENT_RATE_LIMIT: '100000', CLICK_SCORE_CAP: '3' });
});
afterAll(async () => {
  await t.close();
});

async function summaryOf(streamId: string): Promise<StreamSummary> {
  const res = await t.http('GET', `/api/streams/${streamId}/summary`, { token: await t.token('brand', 'analyst', { brandId: 'brand-a' }) });
  expect(res.status, res.text).toBe(200);
  return StreamSummarySchema.parse(res.body);
}

/** Runs the calls at once and answers how many were acknowledged (the rest were refused). */
async function acked(calls: Promise<unknown>[]): Promise<number> {
  const results = await Promise.allSettled(calls);
  for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: string }).code, String(r.reason)).toBeDefined();
  return results.filter((r) => r.status === 'fulfilled').length;
}

describe('the activity ledger counts exactly the committed changes', () => {
  it('claims, chat, entries, answers, questions, upvotes and clicks: the summary equals the acknowledged requests', async () => {
    const streamId = await t.createStream('Ledger', 'brand-a', { start: true });
    const host = await t.streamer('host-a', 'brand-a');
    await host.join(streamId);
    const names = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay'];
    const v: ViewerClient[] = await Promise.all(names.map((n) => t.joinedViewer(streamId, n)));

    // coupons: 6 viewers race for 4 coupons, one per viewer; each claim is retried with its opId too
    const { drop } = await host.dropCoupon(streamId, { title: '10% off', discount: { type: 'percent', value: 10 }, quantity: 4, perViewer: 1, durationSec: 60 });
    const claims = await Promise.allSettled(v.map((c, i) => c.claimCoupon(drop.id, { opId: `claim-${i}` })));
    const claimed = claims.filter((r) => r.status === 'fulfilled').length;
    expect(claimed).toBe(4);
    const replays = await Promise.allSettled(v.map((c, i) => c.claimCoupon(drop.id, { opId: `claim-${i}` })));
    expect(replays.map((r) => r.status)).toEqual(claims.map((r) => r.status));

    // chat: duplicates are refused, staff messages are chat but nobody's activity
    let chat = await acked(v.flatMap((c, i) => [c.chat(streamId, `hello from ${i}`), c.chat(streamId, `second from ${i}`)]));
    chat += await acked(v.slice(0, 3).map((c, i) => c.chat(streamId, `second from ${i}`)));
    await host.chat(streamId, 'welcome, all');

    // a lottery by button (a second entry is refused), then one by keyword
    const { lottery } = await host.createLottery(streamId, { prize: 'Tote bag', winners: 1, durationSec: 60 });
    let entries = await acked([...v.map((c) => c.enterLottery(lottery.id)), v[0]!.enterLottery(lottery.id)]);
    await host.drawLottery(lottery.id);
    const { lottery: byWord } = await host.createLottery(streamId, { prize: 'Mug', winners: 1, durationSec: 60, keyword: 'mug please' });
    const entered = v.slice(0, 4).map((c) => c.once('lottery:entered', (e) => e.lotteryId === byWord.id));
    chat += await acked(v.slice(0, 4).map((c) => c.chat(streamId, 'mug please')));
    await Promise.all(entered);
    entries += 4;

    // a quiz: answers are final
    const { quiz } = await host.createQuiz(streamId, { question: 'Color?', options: ['red', 'blue'], correctOption: 1, durationSec: 60 });
    const answers = await acked([...v.map((c, i) => c.answerQuiz(quiz.id, i % 2)), v[1]!.answerQuiz(quiz.id, 0)]);

    // questions (one open per viewer) and upvotes (one per viewer, never one's own)
    const asked = await Promise.allSettled([v[0]!.ask(streamId, 'Sizes?'), v[1]!.ask(streamId, 'Colors?'), v[0]!.ask(streamId, 'Again?')]);
    const questions = asked.filter((r) => r.status === 'fulfilled').length;
    const q0 = (asked[0] as PromiseFulfilledResult<{ question: { id: string } }>).value.question.id;
    const upvotes = await acked([...v.map((c) => c.upvote(q0)), v[2]!.upvote(q0)]);

    // clicks: every click counts in the stream, a viewer's own count stops at CLICK_SCORE_CAP (3)
    await host.pinProduct(streamId, { id: 'coat', title: 'Coat', price: 120, currency: 'EUR' });
    const clicks = await acked([
      ...Array.from({ length: 5 }, () => v[0]!.clickProduct(streamId, 'coat')),
      v[1]!.clickProduct(streamId, 'coat'),
      v[1]!.clickProduct(streamId, 'hat'),
    ]);

    expect({ claimed, chat, entries, answers, questions, upvotes, clicks }).toEqual({
      claimed: 4,
      chat: 16,
      entries: 10,
      answers: 6,
      questions: 2,
      upvotes: 5,
      clicks: 6,
    });
    const s = await summaryOf(streamId);
    expect(s).toMatchObject({
      couponClaims: claimed,
      couponClaimers: claimed,
      chatMessages: chat,
      lotteryEntries: entries,
      quizAnswers: answers,
      questions,
      upvotes,
      productClicks: clicks,
    });
    const totals = await streamTotals(t.app.ctx.redis, t.app.ctx.keys, streamId);
    expect(totals).toMatchObject({ couponClaims: claimed, chat, lotteryEntries: entries, quizAnswers: answers, questions, upvotes, clicks });
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, 'ann')).clicks).toBe(3);
    expect((await viewerActivity(t.app.ctx.redis, t.app.ctx.keys, streamId, 'host-a')).chat).toBeUndefined();
  });
});
