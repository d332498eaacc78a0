import { createHmac } from 'node:crypto';
import type { ViewerDataExport, ViewerDataExportAll, ViewerDeleted } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { User } from '../identity/tokens.js';
import { eventGateKey } from '../redis/event-gate.js';
import { pairs, scanHash } from '../redis/replies.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { activityKeys } from '../activity/activity.keys.js';
import { readMoments } from '../activity/activity.store.js';
import { chatKeys } from '../chat/chat.keys.js';
import { couponKeys, dropKeys } from '../coupons/coupons.keys.js';
import { brandLotteryKeys, lotteryKeys } from '../lottery/lottery.keys.js';
import { brandBuyersKey, brandOrderKeys, orderIndexKey, streamOrderKeys } from '../orders/orders.keys.js';
import { pointsKeys } from '../points/points.keys.js';
import { viewerPoints, viewerPointsKeys } from '../points/points.store.js';
import { presenceKeys } from '../presence/presence.keys.js';
import { lastJoinKey, productKeys } from '../products/products.keys.js';
import { pollKeys } from '../polls/polls.keys.js';
import { brandPointsKeys, rewardKeys } from '../points/points.keys.js';
import { referralKeys, streamReferralKeys } from '../referrals/referrals.keys.js';
import { surveyKeys } from '../survey/survey.keys.js';
import type { SurveyAnswerRecord } from '../survey/survey.store.js';
import { webhookKeys } from '../webhooks/webhooks.keys.js';
import { qaKeys } from '../qa/qa.keys.js';
import { quizKeys } from '../quiz/quiz.keys.js';
import { legacyScoringKeys, scoringKeys } from '../scoring/scoring.keys.js';
import { TIERS } from '../stickiness/index.js';
import { brandSummaryKeys, summaryKeys } from '../summary/summary.keys.js';
import { ForgetOps } from './data-rights.store.js';
import { exportKeys } from './exports.keys.js';
import { globEscape, scanKeys } from './scan.js';
import { forEachBrandStream } from './exports.service.js';

/**
 * Data rights: everything held about one viewer (access) and forgetting them (erasure), per brand or for
 * every brand. What is removed and what is pseudonymized is listed in docs/operations.md, "Data rights".
 *
 * Forgetting keeps every aggregate as it was: where the viewer's id feeds a figure (activity, presence,
 * coupon and order records, scoring, the brand's first-seen indexes), it is replaced by a pseudonym,
 * `deleted:<hmac of the id>`, the same for every stream and brand of the deployment, so a stream's
 * summary counts the same viewers and the brand's returning-viewer figures stay exact. What is only the
 * viewer's own (chat messages, question texts, points, rate-limit state, their last join) is removed.
 */

/** The stable pseudonym of a forgotten viewer: an HMAC of the id under JWT_SECRET (not reversible without it). */
export function pseudonymOf(ctx: AppContext, viewerId: string): string {
  return `deleted:${createHmac('sha256', ctx.config.JWT_SECRET).update(`viewer:${viewerId}`).digest('hex').slice(0, 24)}`;
}

function checkViewerId(viewerId: string): void {
  if (viewerId.startsWith('deleted:')) throw new AppError('invalid_payload', 'this id is already a pseudonym of a forgotten viewer');
}

function mayManageBrand(user: User, brandId: string): void {
  if (user.role === 'admin') return;
  if (user.role === 'brand' && user.brandId === brandId) return;
  throw new AppError('forbidden', 'only the brand itself or an admin manages its viewers’ data');
}

/** Quiz, lottery and poll ids of a stream, from its moments (every quiz, lottery and poll adds one when it opens). */
async function momentIds(ctx: AppContext, streamId: string): Promise<{ quizzes: string[]; lotteries: string[]; polls: string[] }> {
  const moments = await readMoments(ctx.redis, ctx.keys, streamId);
  const of = (kind: 'quiz' | 'lottery' | 'poll') => [...new Set(moments.filter((m) => m.kind === kind).map((m) => m.id))];
  return { quizzes: of('quiz'), lotteries: of('lottery'), polls: of('poll') };
}

/** The question keys (`qa:q:<id>`) of the given streams: no stream lists its questions, so one keyspace scan finds them. */
async function questionKeys(ctx: AppContext, streamIds: ReadonlySet<string> | 'all'): Promise<Map<string, string[]>> {
  const byStream = new Map<string, string[]>();
  const head = globEscape(ctx.keys.prefix);
  await scanKeys(ctx, `${head}{s:*}:qa:q:*`, async (keys) => {
    for (const key of keys) {
      const m = /\{s:([^}]+)\}:qa:q:(.+)$/.exec(key);
      if (!m || (streamIds !== 'all' && !streamIds.has(m[1]!))) continue;
      const list = byStream.get(m[1]!) ?? [];
      list.push(m[2]!);
      byStream.set(m[1]!, list);
    }
  });
  return byStream;
}

const parseJson = (s: string): Record<string, unknown> => JSON.parse(s) as Record<string, unknown>;

type StreamPart = ViewerDataExport['streams'][number];

/** What one stream holds about the viewer; null when nothing. */
async function streamPart(ctx: AppContext, stream: StreamRecord, viewerId: string, questions: readonly string[]): Promise<StreamPart | null> {
  const r = ctx.redis;
  const a = activityKeys(ctx.keys, stream.id);
  const c = chatKeys(ctx.keys, stream.id);
  const reader = new ForgetOps(r, ctx.keys, viewerId, viewerId);
  const [activity, firstJoin, banned, history, log, modlog, ids, surveyRaw] = await Promise.all([
    r.hgetall(a.viewer(viewerId)),
    r.zscore(presenceKeys(ctx.keys, stream.id).unique, viewerId),
    r.sismember(c.banned, viewerId),
    reader.messagesOf(c.history, false),
    reader.messagesOf(exportKeys(ctx.keys, stream.id).chatLog, false),
    r.lrange(c.modlog, 0, -1),
    momentIds(ctx, stream.id),
    r.hget(surveyKeys(ctx.keys, stream.id).answers, viewerId),
  ]);
  // the full log when there is one, and whatever the hot history holds that it does not
  const logged = new Set(log.map((m) => m.id));
  const chat = [...log, ...history.filter((m) => !logged.has(m.id))];
  const moderation = modlog.filter((e) => e.includes(viewerId)).map(parseJson).filter((e) => e.target === viewerId || (e.message as { userId?: string } | undefined)?.userId === viewerId);
  const claims: Record<string, unknown>[] = [];
  const orders: Record<string, unknown>[] = [];
  for (const [key, out] of [
    [couponKeys(ctx.keys, stream.id).codes, claims],
    [streamOrderKeys(ctx.keys, stream.id).orders, orders],
  ] as const) {
    let cursor = '0';
    do {
      const [next, flat] = await r.hscan(key, cursor, 'COUNT', 500);
      cursor = next;
      for (const [, v] of pairs(flat)) if (v.startsWith('{') && v.includes(viewerId)) {
        const rec = parseJson(v);
        if (rec.viewerId === viewerId) out.push(rec);
      }
    } while (cursor !== '0');
  }
  const quizAnswers: Record<string, string> = {};
  for (const q of ids.quizzes) {
    const ans = await r.hget(quizKeys(ctx.keys, stream.id).answers(q), viewerId);
    if (ans !== null) quizAnswers[q] = ans;
  }
  const lotteryEntries: string[] = [];
  for (const l of ids.lotteries) if (await r.hexists(lotteryKeys(ctx.keys, stream.id).entries(l), viewerId)) lotteryEntries.push(l);
  const pollVotes: Record<string, number> = {};
  for (const p of ids.polls) {
    const option = await r.hget(pollKeys(ctx.keys, stream.id).votes(p), viewerId);
    if (option !== null) pollVotes[p] = Number(option);
  }
  const answer = surveyRaw === null ? null : (JSON.parse(surveyRaw) as SurveyAnswerRecord);
  const survey = answer && { score: answer.score, comment: answer.comment ?? null, at: answer.at };
  const asked: Record<string, unknown>[] = [];
  for (const q of questions) {
    const h = await r.hgetall(qaKeys(ctx.keys, stream.id).question(q));
    if (h.userId === viewerId) asked.push({ questionId: q, text: h.text, name: h.name, at: Number(h.at), status: h.status });
  }
  const anything = Object.keys(activity).length || firstJoin !== null || banned || chat.length || asked.length || moderation.length || claims.length || orders.length || Object.keys(quizAnswers).length || lotteryEntries.length || Object.keys(pollVotes).length || survey;
  if (!anything) return null;
  return {
    streamId: stream.id,
    title: stream.title,
    activity: Object.fromEntries(Object.entries(activity).map(([k, v]) => [k, Number.isFinite(Number(v)) ? Number(v) : v])),
    firstJoinAt: firstJoin === null ? null : Number(firstJoin),
    chat,
    questions: asked,
    moderation,
    claims,
    orders,
    quizAnswers,
    lotteryEntries,
    pollVotes,
    survey,
    banned: banned === 1,
  };
}

/** `GET /api/brands/:brandId/viewers/:viewerId/export`: everything the deployment holds about the viewer for this brand. */
export async function exportViewer(ctx: AppContext, user: User, brandId: string, viewerId: string): Promise<ViewerDataExport> {
  mayManageBrand(user, brandId);
  return brandData(ctx, brandId, viewerId);
}

/** What the brand holds about the viewer; `questions`: the question keys per stream when already found. */
async function brandData(ctx: AppContext, brandId: string, viewerId: string, questionsFound?: Map<string, string[]>): Promise<ViewerDataExport> {
  const r = ctx.redis;
  const sc = scoringKeys(ctx.keys, brandId);
  const bs = brandSummaryKeys(ctx.keys, brandId);
  const p = pointsKeys(ctx.keys, brandId, viewerId);
  const o = brandOrderKeys(ctx.keys, brandId, viewerId);
  const [history, rating, firstSeen, firstBought, points, orderTimes, amounts, lastJoin] = await Promise.all([
    r.hget(sc.history, viewerId),
    r.hget(sc.ratings, viewerId),
    r.zscore(bs.firstSeen, viewerId),
    r.zscore(bs.firstBought, viewerId),
    viewerPoints(r, ctx.keys, brandId, viewerId),
    r.zrange(o.history, 0, -1, 'WITHSCORES'),
    r.hgetall(o.amounts),
    r.get(lastJoinKey(ctx.keys, viewerId)),
  ]);
  const bp = brandPointsKeys(ctx.keys, brandId);
  const redemptionIds = await r.lrange(p.redemptions, 0, -1);
  const redemptions = redemptionIds.length ? (await r.hmget(bp.redemptions, ...redemptionIds)).flatMap((raw) => (raw ? [parseJson(raw)] : [])) : [];
  const spent: Record<string, number> = {};
  const rf = referralKeys(ctx.keys, brandId);
  const [tickets, code, by] = await Promise.all([r.hget(bp.raffleTickets, viewerId), r.hget(rf.codeOf, viewerId), r.hget(rf.by, viewerId)]);
  const record = (v: string) => {
    const [referrerId = '', streamId = '', at = '0'] = v.split('|');
    return { referrerId, streamId, at: Number(at) };
  };
  const referred: { viewerId: string; streamId: string; at: number }[] = [];
  for await (const [field, v] of scanHash(r, rf.by)) {
    if (!v.startsWith(`${viewerId}|`)) continue;
    const rec = record(v);
    if (rec.referrerId === viewerId) referred.push({ viewerId: field, streamId: rec.streamId, at: rec.at });
  }
  for await (const [field, v] of scanHash(r, bp.raffleSpent)) if (field.startsWith(`${viewerId}|`)) spent[field.slice(viewerId.length + 1)] = Number(v);
  const streams: StreamRecord[] = [];
  await forEachBrandStream(ctx, brandId, undefined, undefined, async (s) => {
    streams.push(s);
  });
  const questions = questionsFound ?? (await questionKeys(ctx, new Set(streams.map((s) => s.id))));
  const parts: StreamPart[] = [];
  for (const s of streams) {
    const part = await streamPart(ctx, s, viewerId, questions.get(s.id) ?? []);
    if (part) parts.push(part);
  }
  const join = lastJoin ? parseJson(lastJoin) : null;
  return {
    viewerId,
    brandId,
    exportedAt: ctx.clock.now(),
    scoring: { history, rating, firstSeen: firstSeen === null ? null : Number(firstSeen), firstBought: firstBought === null ? null : Number(firstBought) },
    points,
    redemptions,
    raffle: { tickets: Number(tickets ?? 0), spent },
    referrals: { code, referredBy: by === null ? null : record(by), referred: referred.sort((a, b) => a.at - b.at) },
    orders: [...pairs(orderTimes)].map(([orderId, at]) => ({ orderId, at: Number(at), ...(amounts[orderId] ? parseJson(amounts[orderId]) : {}) })),
    lastJoin: join && join.brandId === brandId ? join : null,
    streams: parts,
  };
}

/** Forgets the viewer in one stream; true when the stream held anything of theirs. */
async function forgetInStream(ctx: AppContext, ops: ForgetOps, stream: StreamRecord, questions: readonly string[]): Promise<boolean> {
  const r = ctx.redis;
  const V = ops.viewerId;
  const P = ops.pseudonym;
  const a = activityKeys(ctx.keys, stream.id);
  const pr = presenceKeys(ctx.keys, stream.id);
  const c = chatKeys(ctx.keys, stream.id);
  const cp = couponKeys(ctx.keys, stream.id);
  const s = summaryKeys(ctx.keys, stream.id);
  const touched = (await r.exists(a.viewer(V))) === 1 || (await r.zscore(pr.unique, V)) !== null;

  // what feeds the stream's figures: handed to the pseudonym
  await ops.renameKey(a.viewer(V), a.viewer(P));
  await ops.zsetMember(a.dirty);
  await ops.zsetMember(pr.seen);
  await ops.zsetMember(pr.unique);
  await ops.hashField(pr.watchFrom);
  await r.del(pr.visibleTabs(V));
  await ops.renameKey(pr.minutes(V), pr.minutes(P)); // the mechanics' presence minutes
  await ops.setMember(s.viewers);
  await ops.jsonString(s.final);
  await r.del(s.live); // recomputed from the pseudonymized keys on the next read

  // chat: the viewer's messages are removed; the moderation log keeps its actions, naming the pseudonym
  await ops.messagesOf(c.history, true);
  await ops.messagesOf(exportKeys(ctx.keys, stream.id).chatLog, true);
  const pinned = await r.hget(c.meta, 'pinned');
  if (pinned && (parseJson(pinned).message as { userId?: string } | undefined)?.userId === V) await r.hdel(c.meta, 'pinned', 'pinnedId');
  const modlog = await r.lrange(c.modlog, 0, -1);
  for (let i = 0; i < modlog.length; i++) {
    const entry = modlog[i]!;
    if (!entry.includes(V)) continue;
    const e = parseJson(entry);
    const msg = e.message as { userId?: string } | undefined;
    if (msg?.userId === V) delete e.message;
    const out = ops.rewrite(JSON.stringify(e));
    if (out !== null || msg?.userId === V) await ops.replaceListItem(c.modlog, i, entry, out ?? JSON.stringify(e));
  }
  await r.srem(c.banned, V);
  await r.del(c.user(V), c.rate(V), eventGateKey(ctx.keys, stream.id, V));

  // coupons: codes stay valid for redemption, issued to the pseudonym
  await ops.jsonHashValues(cp.codes);
  await ops.hashFieldsNaming(cp.rewards, 'end', ':', 'rename');
  for (const dropId of await r.zrange(cp.all, 0, -1)) {
    const d = dropKeys(ctx.keys, stream.id, dropId);
    await ops.hashField(d.claims);
    await ops.hashFieldsNaming(d.ops, 'start', '|', 'drop');
  }

  // orders: the stream's counted orders and their global attribution entries
  for (const orderId of await ops.jsonHashValues(streamOrderKeys(ctx.keys, stream.id).orders)) await ops.jsonString(orderIndexKey(ctx.keys, orderId));

  // quizzes and lotteries of the stream
  const ids = await momentIds(ctx, stream.id);
  for (const q of ids.quizzes) {
    const k = quizKeys(ctx.keys, stream.id);
    await ops.hashField(k.answers(q));
    await ops.listItems(k.correct(q));
    await ops.setMember(k.delivered(q));
    for (const field of ['result', 'public']) {
      const raw = await r.hget(k.quiz(q), field);
      const out = raw && ops.rewrite(raw);
      if (out) await r.hset(k.quiz(q), field, out);
    }
  }
  await ops.jsonString(quizKeys(ctx.keys, stream.id).lastResult);
  for (const l of ids.lotteries) {
    const k = lotteryKeys(ctx.keys, stream.id);
    await ops.hashField(k.entries(l));
    const raw = await r.hget(k.meta(l), 'result');
    const out = raw && ops.rewrite(raw);
    if (out) await r.hset(k.meta(l), 'result', out);
  }

  // polls: the vote stays (the counts are made of them), cast by the pseudonym
  for (const p of ids.polls) await ops.hashField(pollKeys(ctx.keys, stream.id).votes(p));

  // the survey: the score stays (the NPS tally counts it), the comment is the viewer's own text
  const sk = surveyKeys(ctx.keys, stream.id);
  const answered = await r.hget(sk.answers, V);
  if (answered !== null) {
    const { comment: _comment, ...kept } = JSON.parse(answered) as SurveyAnswerRecord;
    await r.multi().hsetnx(sk.answers, P, JSON.stringify(kept)).hdel(sk.answers, V).exec();
  }

  // products: first clicks per product (the mechanics' touched viewers)
  for (const productId of await r.hkeys(productKeys(ctx.keys, stream.id).catalog)) await ops.zsetMember(productKeys(ctx.keys, stream.id).firstClicks(productId));

  // referrals in the stream: as referred (field) and as referrer (value, and the stream's top referrers)
  const sr = streamReferralKeys(ctx.keys, stream.id);
  await ops.hashField(sr.referred);
  await ops.hashValuesNaming(sr.referred, '|');
  await ops.zsetMember(sr.top);

  // questions: the text and the name are the viewer's own; the question (and its votes) stays
  const qa = qaKeys(ctx.keys, stream.id);
  for (const q of questions) {
    if ((await r.hget(qa.question(q), 'userId')) === V) await r.hset(qa.question(q), 'userId', P, 'name', '', 'text', '');
    await ops.setMember(qa.voters(q));
  }
  await ops.hashField(qa.openBy);
  await ops.hashFieldsNaming(qa.askPins, 'start', '|', 'rename');
  await ops.zsetMember(qa.clickedPinned);
  return touched;
}

/** Forgets the viewer for one brand: its streams, then the brand's own keys. */
async function forgetInBrand(ctx: AppContext, ops: ForgetOps, brandId: string, questions?: Map<string, string[]>): Promise<number> {
  const V = ops.viewerId;
  const P = ops.pseudonym;
  const streams: StreamRecord[] = [];
  await forEachBrandStream(ctx, brandId, undefined, undefined, async (s) => {
    streams.push(s);
  });
  const qs = questions ?? (await questionKeys(ctx, new Set(streams.map((s) => s.id))));
  let touched = 0;
  for (const s of streams) if (await forgetInStream(ctx, ops, s, qs.get(s.id) ?? [])) touched++;

  const sc = scoringKeys(ctx.keys, brandId);
  await ops.hashField(sc.history);
  await ops.hashField(sc.ratings);
  const legacy = legacyScoringKeys(ctx.keys, brandId);
  for (const key of [...TIERS.map((t) => sc.tier(t)), legacy.board, legacy.riskPool, legacy.asOf]) await ops.zsetMember(key);
  const bs = brandSummaryKeys(ctx.keys, brandId);
  await ops.zsetMember(bs.firstSeen);
  await ops.zsetMember(bs.firstBought);
  const from = brandOrderKeys(ctx.keys, brandId, V);
  const to = brandOrderKeys(ctx.keys, brandId, P);
  await ops.renameKey(from.history, to.history);
  await ops.renameKey(from.amounts, to.amounts);
  await ops.zsetMember(brandBuyersKey(ctx.keys, brandId));
  await ops.zsetMember(brandLotteryKeys(ctx.keys, brandId).winners);
  await ctx.redis.del(...viewerPointsKeys(ctx.keys, brandId, V));
  await forgetPointsAndReferrals(ctx, ops, brandId, streams);
  await forgetInWebhookLog(ctx, ops, brandId);
  const last = await ctx.redis.get(lastJoinKey(ctx.keys, V));
  if (last && parseJson(last).brandId === brandId) await ctx.redis.del(lastJoinKey(ctx.keys, V));
  ctx.log.info({ brandId, streams: streams.length, touched }, 'viewer forgotten for a brand');
  return touched;
}

/**
 * Redemptions feed the brand's economy and each reward's counts: their records, the reward claims, the
 * holders set and the viewer's list of redemptions go to the pseudonym; unspent raffle tickets (bought with
 * points, which are removed) and the redemption retry records are removed. Referral records go to the
 * pseudonym on both sides (the brand's and its streams' counts stay); the share code is removed (an old link
 * credits nobody).
 */
async function forgetPointsAndReferrals(ctx: AppContext, ops: ForgetOps, brandId: string, streams: readonly StreamRecord[]): Promise<void> {
  const r = ctx.redis;
  const V = ops.viewerId;
  const bp = brandPointsKeys(ctx.keys, brandId);
  const from = pointsKeys(ctx.keys, brandId, V);
  const ids = await r.lrange(from.redemptions, 0, -1);
  const rewards = new Set(await r.zrange(bp.rewards, 0, -1));
  if (ids.length) for (const raw of await r.hmget(bp.redemptions, ...ids)) if (raw) rewards.add(String(parseJson(raw).rewardId));
  for (const rewardId of rewards) await ops.hashField(rewardKeys(ctx.keys, brandId, rewardId).claims);
  for (const id of ids) {
    const raw = await r.hget(bp.redemptions, id);
    const out = raw && ops.rewrite(raw);
    if (out) await r.hset(bp.redemptions, id, out);
  }
  await ops.renameKey(from.redemptions, pointsKeys(ctx.keys, brandId, ops.pseudonym).redemptions);
  await ops.zsetMember(bp.holders);
  await ops.hashFieldsNaming(bp.redeemOps, 'start', '|', 'drop');
  await ops.hashFieldsNaming(bp.raffleSpent, 'start', '|', 'rename');
  await r.hdel(bp.raffleTickets, V);

  const rf = referralKeys(ctx.keys, brandId);
  const code = await r.hget(rf.codeOf, V);
  if (code !== null) {
    if ((await r.hget(rf.ownerOf, code)) === V) await r.hdel(rf.ownerOf, code);
    await r.hdel(rf.codeOf, V);
  }
  await ops.hashField(rf.by);
  await ops.hashValuesNaming(rf.by, '|');
  await ops.zsetMember(rf.counts);
  for (const s of streams) await ops.hashField(rf.perStream(s.id));
  const today = Math.floor(ctx.clock.now() / 86_400_000);
  for (const day of [today - 1, today, today + 1]) await ops.hashField(rf.perDay(day));
}

/** The brand's webhook delivery log: bodies naming the viewer (an order, a claim, a draw) name the pseudonym. */
async function forgetInWebhookLog(ctx: AppContext, ops: ForgetOps, brandId: string): Promise<void> {
  const r = ctx.redis;
  const w = webhookKeys(ctx.keys, brandId);
  for (const endpointId of await r.hkeys(w.endpoints)) {
    for (const deliveryId of await r.zrange(w.log(endpointId), 0, -1)) {
      const key = w.delivery(deliveryId);
      const body = await r.hget(key, 'body');
      if (!body?.startsWith('{') || !body.includes(ops.viewerId)) continue;
      const out = ops.rewrite(body);
      if (out) await r.hset(key, 'body', out);
    }
  }
}

/** Every brand of the deployment with streams (one keyspace scan of the brands' stream lists), sorted. */
async function everyBrand(ctx: AppContext): Promise<string[]> {
  const brands = new Set<string>();
  await scanKeys(ctx, `${globEscape(ctx.keys.prefix)}{b:*}:streams`, async (keys) => {
    for (const key of keys) {
      const m = /\{b:([^}]+)\}:streams$/.exec(key);
      if (m) brands.add(m[1]!);
    }
  });
  return [...brands].sort();
}

/** `GET /api/viewers/:viewerId/export` (admin): what every brand holds about the viewer (brands holding nothing left out). */
export async function exportViewerEverywhere(ctx: AppContext, user: User, viewerId: string): Promise<ViewerDataExportAll> {
  if (user.role !== 'admin') throw new AppError('forbidden', "only an admin reads a viewer's data across brands");
  const questions = await questionKeys(ctx, 'all');
  const brands: ViewerDataExport[] = [];
  for (const b of await everyBrand(ctx)) {
    const data = await brandData(ctx, b, viewerId, questions);
    const holds =
      data.streams.length ||
      data.orders.length ||
      data.scoring.history !== null ||
      data.scoring.firstSeen !== null ||
      Object.keys(data.points.grants).length ||
      Object.keys(data.points.lots).length ||
      data.redemptions.length ||
      data.raffle.tickets ||
      data.referrals.code !== null ||
      data.referrals.referredBy !== null ||
      data.referrals.referred.length;
    if (holds) brands.push(data);
  }
  const last = await ctx.redis.get(lastJoinKey(ctx.keys, viewerId));
  return { viewerId, exportedAt: ctx.clock.now(), lastJoin: last ? parseJson(last) : null, brands };
}

/** `DELETE /api/brands/:brandId/viewers/:viewerId`: forgets the viewer for this brand (brand or admin). Idempotent. */
export async function deleteViewer(ctx: AppContext, user: User, brandId: string, viewerId: string): Promise<ViewerDeleted> {
  mayManageBrand(user, brandId);
  checkViewerId(viewerId);
  const ops = new ForgetOps(ctx.redis, ctx.keys, viewerId, pseudonymOf(ctx, viewerId));
  const streams = await forgetInBrand(ctx, ops, brandId);
  return { viewerId, pseudonym: ops.pseudonym, brands: [brandId], streams };
}

/**
 * `DELETE /api/viewers/:viewerId` (admin): forgets the viewer for every brand of the deployment. The brands
 * are found by their stream lists (one keyspace scan): a viewer's data is always under a brand with streams.
 */
export async function deleteViewerEverywhere(ctx: AppContext, user: User, viewerId: string): Promise<ViewerDeleted> {
  if (user.role !== 'admin') throw new AppError('forbidden', 'only an admin forgets a viewer for every brand');
  checkViewerId(viewerId);
  const ops = new ForgetOps(ctx.redis, ctx.keys, viewerId, pseudonymOf(ctx, viewerId));
  const all = await everyBrand(ctx);
  const questions = await questionKeys(ctx, 'all');
  let streams = 0;
  for (const b of all) streams += await forgetInBrand(ctx, ops, b, questions);
  await ctx.redis.del(lastJoinKey(ctx.keys, viewerId));
  return { viewerId, pseudonym: ops.pseudonym, brands: all, streams };
}

