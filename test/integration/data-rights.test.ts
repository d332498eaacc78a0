import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_TABLES, ViewerDataExport, ViewerDataExportAll, ViewerDeleted } from '@stickyroom/sdk/protocol';
import { pseudonymOf } from '../../core/src/exports/data-rights.service.js';
import { ForgetOps } from '../../core/src/exports/data-rights.store.js';
import { pointsKeys } from '../../core/src/points/points.keys.js';
import { rewardsStore } from '../../core/src/points/points.rewards.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { deliverOrder, ndjson } from '../helpers/exports.js';

const A = 'brand-dr-a';
const B = 'brand-dr-b';
/** The viewer who asks to be forgotten; no other id contains it. */
const GONE = 'forget-me';
const NAME = 'Forgettable Fiona';
/** The phone number the viewer wrote in their survey comment. */
const PHONE = '+1 555 0100';
const FRIEND = 'fionas-friend';

let t: TestApp;
let tokenA: string;
let tokenB: string;
let admin: string;
const streamsA: string[] = [];
let streamB: string;

/**
 * A stream of `brand` with the forgotten viewer and a keeper: chat, a claim, an order, a question, a quiz, a
 * poll, the survey with a comment; ended and finalized. `extras`: the viewer also came through the keeper's
 * share link, shared their own (a friend came), and redeemed a gift and a raffle ticket.
 */
async function playStream(brand: string, title: string, order: string, extras = false): Promise<string> {
  const id = await t.createStream(title, brand, { start: true });
  const host = await t.streamer(`host-${brand}`, brand);
  await host.join(id);
  const keeper = await t.joinedViewer(id, 'keeper', { name: 'Keeper' });
  const gone = await t.viewer(GONE, { name: NAME });
  const joined = await gone.join(id, extras ? { ref: (await keeper.referralLink(id)).code } : {});
  if (extras) {
    expect(joined.referral?.status).toBe('credited');
    const friend = await t.viewer(FRIEND);
    expect((await friend.join(id, { ref: (await gone.referralLink(id)).code })).referral?.status).toBe('credited');
    friend.close();
  }
  const { poll } = await host.createPoll(id, { question: 'Which colour?', options: ['red', 'blue'] });
  await gone.vote(poll.id, 1);
  await keeper.vote(poll.id, 0);
  await host.closePoll(poll.id);
  await gone.chat(id, `my secret is ${title}`);
  await keeper.chat(id, 'I stay');
  await gone.ask(id, `Where do you ship, ${title}?`);
  const { drop } = await host.dropCoupon(id, { title: 'Ten off', discount: { type: 'amount', value: 10 }, quantity: 5, durationSec: 600 });
  const { code } = await gone.claimCoupon(drop.id);
  await keeper.claimCoupon(drop.id);
  expect((await deliverOrder(t, { orderId: order, viewerId: GONE, amount: 30, currency: 'EUR', couponCode: code })).status).toBe(200);
  const { quiz } = await host.createQuiz(id, { question: 'Two plus two?', options: ['3', '4'], correctOption: 1, durationSec: 60, reward: { points: 5 } });
  await gone.answerQuiz(quiz.id, 1);
  await keeper.answerQuiz(quiz.id, 0);
  await host.closeQuiz(quiz.id);
  await host.mute(id, GONE, 30);
  t.clock.advance(60_000);
  expect((await t.http('POST', `/api/streams/${id}/end`, { token: await t.token('streamer', `host-${brand}`, { brandId: brand }) })).status).toBe(200);
  const fin = await t.http('POST', `/api/streams/${id}/summary/finalize`, { token: await t.token('brand', 'owner', { brandId: brand }) });
  expect(fin.status, fin.text).toBe(200);
  await gone.answerSurvey(id, 9, `loved ${title}, call me at ${PHONE}`);
  await keeper.answerSurvey(id, 4);
  if (extras) {
    const token = await t.token('brand', 'owner', { brandId: brand });
    for (const body of [{ title: 'Sticker', kind: 'gift', cost: 2, stock: 10 }, { title: 'Raffle ticket', kind: 'raffle', cost: 2, stock: 10 }]) {
      const reward = await t.http('POST', `/api/brands/${brand}/rewards`, { token, body });
      expect(reward.status, reward.text).toBe(201);
      await gone.redeem(reward.body.id as string);
    }
  }
  gone.close();
  keeper.close();
  return id;
}

beforeAll(async () => {
  t = await startTestApp({ SURVEY_MIN_WATCH_MIN: '0' });
  tokenA = await t.token('brand', 'owner', { brandId: A });
  tokenB = await t.token('brand', 'owner', { brandId: B });
  admin = await t.token('admin', 'root');
  streamsA.push(await playStream(A, 'first', 'dr-o1', true));
  streamsA.push(await playStream(A, 'second', 'dr-o2'));
  streamB = await playStream(B, 'elsewhere', 'dr-o3');
});
afterAll(async () => {
  await t?.close();
});

const get = async (path: string, token: string): Promise<string> => {
  const res = await t.http('GET', path, { token });
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return res.text;
};

/** Every export of a brand: each table in both formats per stream and brand-wide, the summary CSVs, the moderation logs. */
async function everyExport(brand: string, streams: string[], token: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of EXPORT_TABLES) {
    for (const format of ['ndjson', 'csv']) {
      out[`brand ${table} ${format}`] = await get(`/api/brands/${brand}/export/${table}?format=${format}`, token);
      for (const s of streams) out[`${s} ${table} ${format}`] = await get(`/api/streams/${s}/export/${table}?format=${format}`, token);
    }
  }
  for (const s of streams) {
    out[`${s} summary.csv`] = await get(`/api/streams/${s}/summary.csv`, token);
    out[`${s} moderation`] = await get(`/api/streams/${s}/moderation`, token);
    out[`${s} survey`] = await get(`/api/streams/${s}/survey`, token);
    out[`${s} survey.csv`] = await get(`/api/streams/${s}/survey?format=csv`, token);
  }
  out.referrals = await get(`/api/brands/${brand}/referrals`, token);
  for (const format of ['ndjson', 'csv']) out[`brand redemptions ${format}`] = await get(`/api/brands/${brand}/export/redemptions?format=${format}`, token);
  return out;
}

const summaries = async (streams: string[], token: string) => Promise.all(streams.map((s) => get(`/api/streams/${s}/summary`, token)));

describe('data rights', () => {
  it("exports everything held about a viewer for one brand, and nothing of another brand's", async () => {
    const res = await t.http('GET', `/api/brands/${A}/viewers/${GONE}/export`, { token: tokenA });
    expect(res.status, res.text).toBe(200);
    const data = ViewerDataExport.parse(res.body);
    expect(data).toMatchObject({ viewerId: GONE, brandId: A });
    expect(data.streams.map((s) => s.streamId).sort()).toEqual([...streamsA].sort());
    const first = data.streams.find((s) => s.streamId === streamsA[0])!;
    expect(first.chat).toEqual([expect.objectContaining({ text: 'my secret is first', name: NAME, userId: GONE })]);
    expect(first.questions).toEqual([expect.objectContaining({ text: 'Where do you ship, first?', name: NAME })]);
    expect(first.activity).toMatchObject({ chat: 1, couponClaims: 1, orders: 1 });
    expect(first.claims).toHaveLength(1);
    expect(first.orders).toEqual([expect.objectContaining({ orderId: 'dr-o1', viewerId: GONE })]);
    expect(first.moderation).toEqual([expect.objectContaining({ action: 'mute', target: GONE })]);
    expect(Object.values(first.quizAnswers)).toEqual(['1']);
    expect(Object.values(first.pollVotes)).toEqual([1]);
    expect(first.survey).toEqual({ score: 9, comment: `loved first, call me at ${PHONE}`, at: expect.any(Number) });
    expect(data.redemptions.map((r) => [r.kind, r.title, r.viewerId]).sort()).toEqual([['gift', 'Sticker', GONE], ['raffle', 'Raffle ticket', GONE]]);
    expect(data.raffle).toEqual({ tickets: 1, spent: {} });
    expect(data.referrals).toEqual({
      code: expect.any(String),
      referredBy: { referrerId: 'keeper', streamId: streamsA[0], at: expect.any(Number) },
      referred: [{ viewerId: FRIEND, streamId: streamsA[0], at: expect.any(Number) }],
    });
    expect(data.orders.map((o) => o.orderId).sort()).toEqual(['dr-o1', 'dr-o2']);
    expect(Object.keys(data.points.grants).length).toBeGreaterThan(0);
    expect(JSON.stringify(data)).not.toContain('dr-o3');
    expect(JSON.stringify(data)).not.toContain('elsewhere');

    expect((await t.http('GET', `/api/brands/${A}/viewers/${GONE}/export`, { token: tokenB })).status).toBe(403);
    expect((await t.http('GET', `/api/brands/${A}/viewers/${GONE}/export`, { token: await t.token('streamer', 'host', { brandId: A }) })).status).toBe(403);
    expect((await t.http('GET', `/api/brands/${A}/viewers/${GONE}/export`, { token: await t.token('viewer', GONE) })).status).toBe(403);

    // an admin reads it for every brand at once
    expect((await t.http('GET', `/api/viewers/${GONE}/export`, { token: tokenA })).status).toBe(403);
    const all = ViewerDataExportAll.parse((await t.http('GET', `/api/viewers/${GONE}/export`, { token: admin })).body);
    expect(all.brands.map((b) => b.brandId)).toEqual([A, B]);
    expect(all.brands[0]).toEqual({ ...data, exportedAt: all.exportedAt });
    expect(all.lastJoin).toMatchObject({ streamId: streamB, brandId: B });
  });

  it('forgets a viewer for one brand: absent from every export and the chat, summaries unchanged, other brands untouched', async () => {
    const before = await everyExport(A, streamsA, tokenA);
    for (const s of streamsA) expect(before[`${s} chat ndjson`]).toContain(GONE);
    const summariesBefore = await summaries(streamsA, tokenA);
    const summaryB = await summaries([streamB], tokenB);
    // points still in the layout before (three hashes per viewer, not folded in yet) go too
    await t.app.ctx.redis.hset(pointsKeys(t.app.ctx.keys, A, GONE).old.lots, '99999', '3');

    expect((await t.http('DELETE', `/api/brands/${A}/viewers/${GONE}`, { token: tokenB })).status).toBe(403);
    expect((await t.http('DELETE', `/api/brands/${A}/viewers/${GONE}`, { token: await t.token('streamer', 'host', { brandId: A }) })).status).toBe(403);
    const res = await t.http('DELETE', `/api/brands/${A}/viewers/${GONE}`, { token: tokenA });
    expect(res.status, res.text).toBe(200);
    const done = ViewerDeleted.parse(res.body);
    const pseudonym = pseudonymOf(t.app.ctx, GONE);
    expect(done).toEqual({ viewerId: GONE, pseudonym, brands: [A], streams: 2 });

    const after = await everyExport(A, streamsA, tokenA);
    for (const [name, text] of Object.entries(after)) {
      expect(text, name).not.toContain(GONE);
      expect(text, name).not.toContain(NAME);
      expect(text, name).not.toContain('my secret is');
      expect(text, name).not.toContain('Where do you ship');
      expect(text, name).not.toContain(PHONE);
      expect(text, name).not.toContain('call me');
    }
    expect(before[`${streamsA[0]} survey ndjson`]).toContain(PHONE);
    expect(ndjson(before['brand redemptions ndjson']!).map((r) => r.viewerId)).toEqual([GONE, GONE]);
    expect(ndjson(after['brand redemptions ndjson']!)).toEqual(ndjson(before['brand redemptions ndjson']!.replaceAll(GONE, pseudonym)));
    expect(before[`${streamsA[0]} survey`]).toContain(PHONE);
    // the survey: the same answers and NPS, the forgotten viewer's under the pseudonym without its comment
    for (const s of streamsA) {
      const was = JSON.parse(before[`${s} survey`]!) as { answers: { viewerId: string; comment: string | null }[] };
      const now = JSON.parse(after[`${s} survey`]!) as typeof was;
      expect(now).toEqual({ ...was, answers: expect.any(Array) });
      expect(now.answers).toEqual(expect.arrayContaining(was.answers.map((a) => (a.viewerId === GONE ? { ...a, viewerId: pseudonym, comment: null } : a))));
      expect(now.answers).toHaveLength(was.answers.length);
    }
    // referrals: the brand's figures are the same, the forgotten referrer is the pseudonym
    const refBefore = JSON.parse(before.referrals!) as { referred: number; topReferrers: { viewerId: string; referred: number }[] };
    const refAfter = JSON.parse(after.referrals!) as typeof refBefore;
    expect(refAfter.referred).toBe(refBefore.referred);
    expect(refAfter.topReferrers).toEqual(expect.arrayContaining(refBefore.topReferrers.map((r) => (r.viewerId === GONE ? { ...r, viewerId: pseudonym } : r))));
    // redemptions stay in the brand's economy, made by the pseudonym; the share code credits nobody now
    expect((await rewardsStore(t.app.ctx).viewerRedemptions(A, pseudonym)).map((r) => r.viewerId)).toEqual([pseudonym, pseudonym]);
    expect(await rewardsStore(t.app.ctx).raffleTickets(A, GONE)).toBe(0);
    // the viewer still counts, under the pseudonym: same rows, same figures
    for (const s of streamsA) {
      const byViewer = (rows: Record<string, unknown>[]) => rows.sort((x, y) => String(x.viewerId).localeCompare(String(y.viewerId)));
      expect(byViewer(ndjson(after[`${s} viewers ndjson`]!))).toEqual(byViewer(ndjson(before[`${s} viewers ndjson`]!.replaceAll(GONE, pseudonym))));
      expect(ndjson(after[`${s} orders ndjson`]!)).toEqual(ndjson(before[`${s} orders ndjson`]!.replaceAll(GONE, pseudonym)));
      expect(ndjson(after[`${s} chat ndjson`]!).map((m) => m.text)).toEqual(['I stay']);
      expect(await t.chatTexts(s)).toEqual(['I stay']);
    }
    // the stored summaries are the same bytes, but for the id the pseudonym replaced
    expect(await summaries(streamsA, tokenA)).toEqual(summariesBefore.map((s) => s.replaceAll(`"${GONE}"`, `"${pseudonym}"`)));
    expect(summariesBefore.join('')).toContain(`"${GONE}"`); // (it was named there: the top viewers)
    const first = JSON.parse(summariesBefore[0]!) as { survey: { responses: number; nps: number }; polls: { counts: number[] }[] };
    expect(first.survey).toMatchObject({ responses: 2, promoters: 1, detractors: 1, nps: 0 });
    expect(first.polls).toEqual([expect.objectContaining({ counts: [1, 1], votes: 2 })]);
    // the mechanics' presence minutes: the bitmap is the pseudonym's
    const minutes = (v: string) => t.app.ctx.redis.exists(t.app.ctx.keys.stream(streamsA[0]!, 'presence', 'minutes', v));
    expect([await minutes(GONE), await minutes(pseudonym)]).toEqual([0, 1]);

    // another brand's data is another brand's
    expect(await summaries([streamB], tokenB)).toEqual(summaryB);
    expect(await get(`/api/streams/${streamB}/export/chat`, tokenB)).toContain('my secret is elsewhere');
    // nothing left to export for brand A; a second delete changes nothing
    const data = ViewerDataExport.parse((await t.http('GET', `/api/brands/${A}/viewers/${GONE}/export`, { token: tokenA })).body);
    expect(data).toMatchObject({
      streams: [],
      orders: [],
      scoring: { history: null, rating: null },
      points: { lots: {}, grants: {}, streams: {} },
      redemptions: [],
      raffle: { tickets: 0, spent: {} },
      referrals: { code: null, referredBy: null, referred: [] },
    });
    expect(data.points).toEqual({ lots: {}, grants: {}, streams: {} });
    const again = await t.http('DELETE', `/api/brands/${A}/viewers/${GONE}`, { token: tokenA });
    expect(again.body).toEqual({ viewerId: GONE, pseudonym, brands: [A], streams: 0 });
    expect(await everyExport(A, streamsA, tokenA)).toEqual(after);
    const all = ViewerDataExportAll.parse((await t.http('GET', `/api/viewers/${GONE}/export`, { token: admin })).body);
    expect(all.brands.map((b) => b.brandId)).toEqual([B]);
  });

  it('an admin forgets a viewer across every brand', async () => {
    expect((await t.http('DELETE', `/api/viewers/${GONE}`, { token: tokenB })).status).toBe(403);
    const summaryB = await summaries([streamB], tokenB);
    const res = await t.http('DELETE', `/api/viewers/${GONE}`, { token: admin });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ viewerId: GONE, brands: expect.arrayContaining([A, B]), streams: 1 });
    for (const [name, text] of Object.entries(await everyExport(B, [streamB], tokenB))) {
      expect(text, name).not.toContain(GONE);
      expect(text, name).not.toContain(PHONE);
    }
    expect(await t.chatTexts(streamB)).toEqual(['I stay']);
    expect(await summaries([streamB], tokenB)).toEqual(summaryB.map((s) => s.replaceAll(`"${GONE}"`, `"${pseudonymOf(t.app.ctx, GONE)}"`)));
    expect((await t.http('DELETE', `/api/viewers/${pseudonymOf(t.app.ctx, GONE)}`, { token: admin })).status).toBe(400);
    expect(ViewerDataExportAll.parse((await t.http('GET', `/api/viewers/${GONE}/export`, { token: admin })).body)).toMatchObject({ brands: [], lastJoin: null });
  });

  it('rewrites a moderation log entry where it is now, though new actions were pushed since it was read', async () => {
    const key = t.app.ctx.keys.stream('dr-list', 'chat', 'modlog');
    const redis = t.app.ctx.redis;
    await redis.rpush(key, 'a', 'target', 'b');
    const ops = new ForgetOps(redis, t.app.ctx.keys, 'x', 'deleted:x');
    await redis.lpush(key, 'new-1', 'new-2'); // a moderator acted meanwhile: 'target' moved from index 1 to 3
    expect(await ops.replaceListItem(key, 1, 'target', 'rewritten')).toBe(true);
    expect(await redis.lrange(key, 0, -1)).toEqual(['new-2', 'new-1', 'a', 'rewritten', 'b']);
    expect(await ops.replaceListItem(key, 3, 'target', 'again')).toBe(false);
  });
});
