import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderWebhookBody, StreamSummary } from '@stickyroom/sdk';
import { StreamSummary as StreamSummarySchema } from '@stickyroom/sdk/protocol';
import { signBody } from '../../server/src/http/webhook-signature.js';
import { startTestApp, TEST_WEBHOOK_SECRET, type TestApp } from '../helpers/app.js';

const BRAND = 'brand-listen';
let t: TestApp;
let brandToken: string;
beforeAll(async () => {
  t = await startTestApp({ EVENT_RATE_LIMIT: '1000' });
  brandToken = await t.token('brand', 'analyst', { brandId: BRAND });
});
afterAll(async () => {
  await t.close();
});

async function summaryOf(streamId: string): Promise<StreamSummary> {
  const res = await t.http('GET', `/api/streams/${streamId}/summary`, { token: brandToken });
  expect(res.status, res.text).toBe(200);
  return StreamSummarySchema.parse(res.body);
}

async function order(body: OrderWebhookBody): Promise<void> {
  const raw = JSON.stringify(body);
  const res = await t.http('POST', '/api/webhooks/orders', { raw, headers: { 'x-stickyroom-signature': signBody(TEST_WEBHOOK_SECRET, raw) } });
  expect(res.status, res.text).toBeLessThan(300);
}

const product = (id: string) => ({ id, title: `Product ${id}`, price: 20, currency: 'USD' });

describe('summary: Q&A quality and polls', () => {
  it('reports unanswered rate, answer latency, and which askers clicked and then ordered the product pinned when they asked', async () => {
    const streamId = await t.createStream('listening', BRAND, { start: true });
    const host = await t.streamer('listen-host', BRAND);
    await host.join(streamId);
    const v = Object.fromEntries(await Promise.all(['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map(async (id) => [id, await t.joinedViewer(streamId, `${streamId}-${id}`)] as const)));
    const id = (name: string) => `${streamId}-${name}`;

    await host.pinProduct(streamId, product('p1'));
    // a6 clicked p1 before asking: a click before the question does not count
    await v.a6!.clickProduct(streamId, 'p1');
    await v.a6!.ask(streamId, 'Is it machine washable?');
    const q1 = (await v.a1!.ask(streamId, 'What sizes are left?')).question;
    const q2 = (await v.a2!.ask(streamId, 'Does it come in blue?')).question;
    await host.pinProduct(streamId, product('p2'));
    const q3 = (await v.a3!.ask(streamId, 'How long is shipping?')).question;
    await host.pinProduct(streamId, null);
    await v.a4!.ask(streamId, 'Will you stream again tomorrow?');
    await v.a5!.ask(streamId, 'Any discount codes?');

    t.clock.advance(10_000);
    await host.markAnswered(q3.id);
    t.clock.advance(20_000);
    await host.markAnswered(q1.id);
    t.clock.advance(60_000);
    await host.markAnswered(q2.id);

    // a3's order came before its click; a1 clicks then orders; a2 clicks the other product; a4 asked with nothing pinned
    await order({ orderId: `${streamId}-o3`, viewerId: id('a3'), amount: 20, currency: 'USD', streamId, at: t.clock.now() - 1000 });
    await v.a1!.clickProduct(streamId, 'p1');
    await v.a2!.clickProduct(streamId, 'p2');
    await v.a3!.clickProduct(streamId, 'p2');
    await v.a4!.clickProduct(streamId, 'p1');
    t.clock.advance(5_000);
    await order({ orderId: `${streamId}-o1`, viewerId: id('a1'), amount: 20, currency: 'USD', streamId, at: t.clock.now() });
    await order({ orderId: `${streamId}-o2`, viewerId: id('a2'), amount: 20, currency: 'USD', streamId, at: t.clock.now() });

    // a poll with its outcome
    const { poll } = await host.createPoll(streamId, { question: 'Next drop?', options: ['hats', 'bags'] });
    await Promise.all([v.a1!.vote(poll.id, 1), v.a2!.vote(poll.id, 1), v.a3!.vote(poll.id, 0)]);

    await host.end(streamId);
    const finalized = await t.http('POST', `/api/streams/${streamId}/summary/finalize`, { token: brandToken });
    expect(finalized.status, finalized.text).toBe(200);
    const s = await summaryOf(streamId);
    expect(s.final).toBe(true);
    expect(s.qa).toEqual({
      questions: 6,
      answered: 3,
      unanswered: 3,
      unansweredRate: 0.5,
      answerLatencyP50Sec: 30,
      answerLatencyP90Sec: 90,
      askers: 6,
      askersWithPinned: 4,
      askersWhoClickedPinned: 2,
      askersWhoBoughtPinned: 1,
    });
    expect(s.questions).toBe(6);
    expect(s.polls).toEqual([
      { pollId: poll.id, question: 'Next drop?', options: ['hats', 'bags'], counts: [1, 2], votes: 3, status: 'closed', closedAt: expect.any(Number) },
    ]);
    expect(s.moments).toContainEqual(expect.objectContaining({ kind: 'poll', id: poll.id }));
  });

  it('has no unanswered rate or latency for a stream without questions', async () => {
    const streamId = await t.createStream('quiet', BRAND, { start: true });
    const s = await summaryOf(streamId);
    expect(s.qa).toEqual({
      questions: 0,
      answered: 0,
      unanswered: 0,
      unansweredRate: null,
      answerLatencyP50Sec: null,
      answerLatencyP90Sec: null,
      askers: 0,
      askersWithPinned: 0,
      askersWhoClickedPinned: 0,
      askersWhoBoughtPinned: 0,
    });
    expect(s.polls).toEqual([]);
    expect(s.survey).toBeNull();
  });
});
