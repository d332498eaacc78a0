import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyRetention } from '../../core/src/exports/retention.js';
import { rollupStream } from '../../core/src/scoring/scoring.rollup.js';
import { scoringKeys } from '../../core/src/scoring/scoring.keys.js';
import { TIERS } from '../../core/src/stickiness/index.js';
import { brandOrderKeys } from '../../core/src/orders/orders.keys.js';
import { createLogger } from '../../core/src/logger.js';
import { startWorker } from '../../worker/src/worker.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { deliverOrder, ndjson } from '../helpers/exports.js';

const BRAND = 'brand-ret';
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp({ RETENTION_DAYS: '30', SURVEY_MIN_WATCH_MIN: '0', SURVEY_WINDOW_HOURS: '48' });
  token = await t.token('brand', 'owner', { brandId: BRAND });
});
afterAll(async () => {
  await t?.close();
});

/**
 * A stream with chat, a question, a quiz, a claim, an order, a poll and a product click, ended at the clock's
 * time (not finalized); the viewer answers the survey with a comment after the end.
 */
async function playAndEnd(title: string, order: string): Promise<string> {
  const id = await t.createStream(title, BRAND, { start: true });
  const host = await t.streamer(`host-${BRAND}`, BRAND);
  await host.join(id);
  const v = await t.joinedViewer(id, 'regular', { name: 'Regular' });
  await v.chat(id, `chatting in ${title}`);
  await v.ask(id, 'Is it waterproof?');
  const { drop } = await host.dropCoupon(id, { title: 'Five off', discount: { type: 'amount', value: 5 }, quantity: 5, durationSec: 600 });
  const { code } = await v.claimCoupon(drop.id);
  expect((await deliverOrder(t, { orderId: order, viewerId: 'regular', amount: 20, currency: 'EUR', couponCode: code })).status).toBe(200);
  const { quiz } = await host.createQuiz(id, { question: 'Colour?', options: ['red', 'blue'], correctOption: 0, durationSec: 60 });
  await v.answerQuiz(quiz.id, 0);
  await host.closeQuiz(quiz.id);
  const { poll } = await host.createPoll(id, { question: 'Next colour?', options: ['green', 'pink'] });
  await v.vote(poll.id, 1);
  await host.closePoll(poll.id);
  await host.pinProduct(id, { id: 'coat', title: 'Coat', price: 120, currency: 'EUR' });
  await v.clickProduct(id, 'coat');
  await host.mute(id, 'regular', 10);
  t.clock.advance(3600_000);
  expect((await t.http('POST', `/api/streams/${id}/end`, { token: await t.token('streamer', `host-${BRAND}`, { brandId: BRAND }) })).status).toBe(200);
  await v.answerSurvey(id, 10, `call me about ${title}`);
  v.close();
  return id;
}

async function keysOf(streamId: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await t.app.ctx.redis.scan(cursor, 'MATCH', `${t.prefix}{s:${streamId}}:*`, 'COUNT', 1000);
    cursor = next;
    // keys with an expiry (event-gate counters, push tokens) are coordination that lapses on its own in real
    // time, whatever retention does: left out
    for (const k of keys) if ((await t.app.ctx.redis.pttl(k)) === -1) out.push(k.slice(`${t.prefix}{s:${streamId}}:`.length));
  } while (cursor !== '0');
  return out.sort();
}

const get = async (path: string) => {
  const res = await t.http('GET', path, { token });
  expect(res.status, res.text).toBe(200);
  return res.text;
};

describe('retention', () => {
  it('drops the raw per-viewer events of a stream ended RETENTION_DAYS ago, keeping its summary, the scores and the brand history', async () => {
    t.clock.set(T0);
    const old = await playAndEnd('old', 'ret-o1');
    t.clock.set(T0 + 20 * DAY);
    const recent = await playAndEnd('recent', 'ret-o2');
    t.clock.set(T0 + 31 * DAY);

    // not finalized and not rolled up yet: kept, and tried again next run
    expect(await applyRetention(t.app.ctx)).toEqual({ dropped: [], waiting: [old] });
    expect((await t.http('POST', `/api/streams/${old}/summary/finalize`, { token })).status).toBe(200);
    expect(await applyRetention(t.app.ctx)).toEqual({ dropped: [], waiting: [old] });
    await rollupStream(t.app.ctx, old);

    const summary = await get(`/api/streams/${old}/summary`);
    // the summary's survey and poll blocks: what must stay once the votes and answers are gone
    expect(JSON.parse(summary)).toMatchObject({
      survey: { responses: 1, promoters: 1, nps: 100, open: false },
      polls: [expect.objectContaining({ counts: [0, 1], votes: 1 })],
    });
    const before = await keysOf(old);
    for (const raw of ['presence:minutes:regular', 'product:firstClicks:coat', 'survey:answers']) expect(before).toContain(raw);
    expect(before.some((k) => k.startsWith('poll:votes:'))).toBe(true);
    const redis = t.app.ctx.redis;
    const sc = scoringKeys(t.app.ctx.keys, BRAND);
    const scores = await Promise.all([redis.hgetall(sc.history), redis.hgetall(sc.ratings), Promise.all(TIERS.map((tier) => redis.zrange(sc.tier(tier), 0, -1, 'WITHSCORES')))]);
    const orderHistory = await redis.zrange(brandOrderKeys(t.app.ctx.keys, BRAND, 'regular').history, 0, -1);
    expect(ndjson(await get(`/api/streams/${old}/export/chat`))).toHaveLength(1);
    expect((await keysOf(old)).filter((k) => k === 'chat:log')).toEqual(['chat:log']);
    const recentKeys = await keysOf(recent);

    expect(await applyRetention(t.app.ctx)).toEqual({ dropped: [old], waiting: [] });

    const left = await keysOf(old);
    for (const raw of ['v:regular', 'presence:unique', 'presence:seen', 'chat:history', 'chat:log', 'chat:modlog', 'coupons:codes', 'dirty']) expect(left).not.toContain(raw);
    expect(await redis.hgetall(t.app.ctx.keys.stream(old, 'orders'))).toEqual({ 'ret-o1': 'counted' });
    expect(left.filter((k) => /^(qa:q|qa:voters|quiz:answers|quiz:correct|drop:.+:claims|chat:u|poll:votes|presence:minutes|product:firstClicks|qa:askPins|qa:clickedPinned|survey:answers)/.test(k))).toEqual([]);
    // the survey as opened and its tally, the polls and their counts stay (no viewer in them)
    expect(left).toEqual(expect.arrayContaining(['survey:open', 'survey:tally', expect.stringMatching(/^poll:counts:/), expect.stringMatching(/^poll:p:/)]));
    expect(await get(`/api/streams/${old}/export/survey`)).toBe('');
    expect(JSON.stringify(JSON.parse(await get(`/api/streams/${old}/survey`)))).not.toContain('call me');
    expect(left).toEqual(expect.arrayContaining(['meta', 'summary:final', 'summary:viewers', 'totals', 'timeline', 'moments']));
    expect(await get(`/api/streams/${old}/summary`)).toBe(summary);
    expect(await Promise.all([redis.hgetall(sc.history), redis.hgetall(sc.ratings), Promise.all(TIERS.map((tier) => redis.zrange(sc.tier(tier), 0, -1, 'WITHSCORES')))])).toEqual(scores);
    expect(await redis.zrange(brandOrderKeys(t.app.ctx.keys, BRAND, 'regular').history, 0, -1)).toEqual(orderHistory);
    for (const table of ['chat', 'orders', 'claims', 'moderation', 'survey']) expect(await get(`/api/streams/${old}/export/${table}`), table).toBe('');
    // the order webhook replaying the old order hears it was counted already: nothing is counted or recreated
    const replay = await deliverOrder(t, { orderId: 'ret-o1', viewerId: 'regular', amount: 20, currency: 'EUR', streamId: old });
    expect(replay.body).toMatchObject({ duplicate: true });
    expect(await keysOf(old)).toEqual(left);

    // the stream ended 11 days ago keeps everything; a second run changes nothing
    expect(await applyRetention(t.app.ctx)).toEqual({ dropped: [], waiting: [] });
    expect(await keysOf(recent)).toEqual(recentKeys);
    expect(await keysOf(old)).toEqual(left);
    expect(ndjson(await get(`/api/streams/${recent}/export/chat`))).toHaveLength(1);
    expect(ndjson(await get(`/api/streams/${recent}/export/survey`))).toEqual([expect.objectContaining({ comment: 'call me about recent' })]);
  });

  it('waits while the survey still takes answers, then drops them: the summary keeps its survey figures', async () => {
    // a deployment keeping 1 day: the survey (48 hours) is still open when the stream is due
    const ctx = { ...t.app.ctx, config: { ...t.app.ctx.config, RETENTION_DAYS: 1 } };
    const start = t.clock.now();
    const id = await t.createStream('long survey', BRAND, { start: true });
    const host = await t.streamer(`host-${BRAND}`, BRAND);
    const v = await t.joinedViewer(id, 'surveyed');
    t.clock.advance(60_000);
    await host.end(id);
    await v.answerSurvey(id, 3, 'meh');
    v.close();
    expect((await t.http('POST', `/api/streams/${id}/summary/finalize`, { token })).status).toBe(200);
    await rollupStream(t.app.ctx, id);
    const summary = await get(`/api/streams/${id}/summary`);
    expect(JSON.parse(summary).survey).toMatchObject({ responses: 1, detractors: 1, open: true });
    t.clock.set(start + 1.5 * DAY);
    const early = await applyRetention(ctx);
    expect(early.waiting).toContain(id);
    expect(early.dropped).not.toContain(id);
    expect(ndjson(await get(`/api/streams/${id}/export/survey`))).toHaveLength(1);
    t.clock.set(start + 2.5 * DAY);
    expect((await applyRetention(ctx)).dropped).toEqual([id]);
    expect(await get(`/api/streams/${id}/export/survey`)).toBe('');
    expect(JSON.parse(await get(`/api/streams/${id}/summary`))).toEqual({ ...JSON.parse(summary), survey: { ...JSON.parse(summary).survey, open: false } });
  });

  it('the worker schedules the retention job when RETENTION_DAYS is set', async () => {
    const worker = startWorker({ config: t.config, log: createLogger('silent', 'test-worker'), clock: t.clock });
    try {
      await vi.waitFor(async () => expect(await worker.ctx.jobs.queue.getJobScheduler('retention')).toMatchObject({ every: 3600_000 }), { timeout: 5000 });
    } finally {
      await worker.close();
    }
  });
});
