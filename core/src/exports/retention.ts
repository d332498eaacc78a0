import type { AppContext } from '../context.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { streamStore } from '../streams/streams.service.js';
import { activityKeys } from '../activity/activity.keys.js';
import { readMoments } from '../activity/activity.store.js';
import { chatKeys } from '../chat/chat.keys.js';
import { couponKeys, dropKeys } from '../coupons/coupons.keys.js';
import { lotteryKeys } from '../lottery/lottery.keys.js';
import { streamOrderKeys } from '../orders/orders.keys.js';
import { presenceKeys } from '../presence/presence.keys.js';
import { productKeys } from '../products/products.keys.js';
import { qaKeys } from '../qa/qa.keys.js';
import { quizKeys } from '../quiz/quiz.keys.js';
import { scoringKeys } from '../scoring/scoring.keys.js';
import { summaryKeys } from '../summary/summary.keys.js';
import { summaryStore } from '../summary/summary.viewers.js';
import { surveyFigures } from '../summary/summary.sources.js';
import { pollKeys } from '../polls/polls.keys.js';
import { streamReferralKeys } from '../referrals/referrals.keys.js';
import { surveyKeys } from '../survey/survey.keys.js';
import { surveyStore } from '../survey/survey.store.js';
import { globEscape, scanKeys } from './scan.js';
import { exportKeys, retentionBackfilledKey, retentionEndedKey } from './exports.keys.js';

/**
 * RETENTION_DAYS: the raw per-viewer events of a stream that ended more than that many days ago are
 * dropped; its final summary (and its viewer snapshot, which later streams' churn figures read), the
 * stream totals and timeline, the brand's scores and the brand's histories stay. docs/operations.md, Retention.
 */

/** How often the worker looks for streams past retention. */
export const RETENTION_EVERY_MS = 3600_000;
const DAY_MS = 86_400_000;
/** Streams handled per run at most: bounded work per job; the next run goes on. */
const STREAMS_PER_RUN = 200;
/** Keys deleted per DEL (single-slot: all of one stream). */
const DEL_BATCH = 500;

const retentionKeys = (ctx: AppContext) => ({ ended: retentionEndedKey(ctx.keys), backfilled: retentionBackfilledKey(ctx.keys) });

/** Indexes an ended stream for retention (the stream-end hook; idempotent). */
export async function indexEnded(ctx: AppContext, stream: StreamRecord): Promise<void> {
  if (stream.status !== 'ended') return;
  await ctx.redis.zadd(retentionKeys(ctx).ended, 'NX', stream.endedAt ?? ctx.clock.now(), stream.id);
}

/** Once per deployment: every ended stream of every brand goes into the index (streams that ended before it existed). */
async function backfill(ctx: AppContext): Promise<void> {
  const k = retentionKeys(ctx);
  if (await ctx.redis.exists(k.backfilled)) return;
  await scanKeys(ctx, `${globEscape(ctx.keys.prefix)}{b:*}:streams`, async (keys) => {
    for (const key of keys) {
      for (let offset = 0; ; offset += 500) {
        const ids = await ctx.redis.zrange(key, offset, offset + 499);
        for (const s of await streamStore(ctx).getMany(ids)) if (s) await indexEnded(ctx, s);
        if (ids.length < 500) break;
      }
    }
  });
  await ctx.redis.set(k.backfilled, String(ctx.clock.now()));
}

/** Per-viewer and per-question keys no list holds, per stream: `chat:u:*`, `chat:rate:*`, `qa:q:*`, `qa:voters:*`. */
const UNLISTED = [':chat:u:', ':chat:rate:', ':qa:q:', ':qa:voters:'];

/** The unlisted keys of the given streams, found by one keyspace scan per pattern (one run, every stream). */
async function unlistedKeys(ctx: AppContext, streamIds: ReadonlySet<string>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const part of UNLISTED) {
    await scanKeys(ctx, `${globEscape(ctx.keys.prefix)}{s:*}${part}*`, async (keys) => {
      for (const key of keys) {
        const m = /\{s:([^}]+)\}:/.exec(key);
        if (!m || !streamIds.has(m[1]!)) continue;
        const list = out.get(m[1]!) ?? [];
        list.push(key);
        out.set(m[1]!, list);
      }
    });
  }
  return out;
}

/**
 * The stream's counted orders keep their ids, each with the value `counted` instead of its record (viewer,
 * amount, coupon): the order webhook's claim (order-claim-1.lua) still finds a replayed order counted, so a
 * delivery after retention is answered duplicate instead of counted into the stream a second time.
 */
export const COUNTED_TOMBSTONE = 'counted';

async function tombstoneOrders(ctx: AppContext, key: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, flat] = await ctx.redis.hscan(key, cursor, 'COUNT', DEL_BATCH);
    cursor = next;
    const counted: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i + 1]!.startsWith('{')) counted.push(flat[i]!, COUNTED_TOMBSTONE);
    if (counted.length) await ctx.redis.hset(key, ...counted);
  } while (cursor !== '0');
}

/** Deletes keys of one stream (one slot) in batches. */
async function del(ctx: AppContext, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += DEL_BATCH) await ctx.redis.del(...keys.slice(i, i + DEL_BATCH));
}

export type RetentionOutcome = 'dropped' | 'not_final' | 'not_rolled_up' | 'survey_open';

/**
 * The served summary reads its survey block afresh (summary.service.ts), from the survey's own keys, which
 * retention keeps (the survey as opened and its tally per score: no viewer in them), with the eligible count
 * stored in the final summary. A summary stored without that count (finalized before the survey opened)
 * would have it counted again from the activity ledgers dropped here: it is counted now and stored.
 */
async function freezeSurveyEligible(ctx: AppContext, streamId: string): Promise<void> {
  const store = summaryStore(ctx);
  const final = await store.readFinal(streamId);
  const opened = await surveyStore(ctx).opened(streamId);
  if (!final || !opened || (final.survey && final.survey.minWatchMin * 60_000 === opened.minWatchMs)) return;
  const survey = await surveyFigures(ctx, streamId, async (minWatchMs) => {
    const viewers = [...(await store.population(streamId))];
    let eligible = 0;
    for (let i = 0; i < viewers.length; i += DEL_BATCH) for (const ms of await surveyStore(ctx).watchMs(streamId, viewers.slice(i, i + DEL_BATCH))) if (ms >= minWatchMs) eligible++;
    return eligible;
  });
  await ctx.redis.set(summaryKeys(ctx.keys, streamId).final, JSON.stringify({ ...final, survey }), 'KEEPTTL');
}

/**
 * Drops the raw per-viewer keys of one ended stream. Waits (answers why) while its final summary is not
 * stored or the scoring rollup has not read its whole ledger: those are made from the keys dropped here.
 * Idempotent: a second run finds nothing left to delete.
 */
export async function dropRawEvents(ctx: AppContext, stream: StreamRecord, unlisted: readonly string[]): Promise<RetentionOutcome> {
  const r = ctx.redis;
  const id = stream.id;
  if (!(await r.exists(summaryKeys(ctx.keys, id).final))) return 'not_final';
  const a = activityKeys(ctx.keys, id);
  const [seq, cursor] = await Promise.all([r.get(a.seq), r.hget(scoringKeys(ctx.keys, stream.brandId).cursor, id)]);
  if (Number(seq ?? 0) > Number(cursor ?? 0)) return 'not_rolled_up';
  // the survey's answers (with their comments) are raw per-viewer events too, but not while still taken
  const survey = await surveyStore(ctx).opened(id);
  if (survey && ctx.clock.now() < survey.closesAt) return 'survey_open';
  await freezeSurveyEligible(ctx, id);

  const keys: string[] = [];
  // activity: each viewer's hash (whoever is in the snapshot or the change set) and the change set
  const viewers = new Set<string>();
  let scan = '0';
  do {
    const [next, ids] = await r.sscan(summaryKeys(ctx.keys, id).viewers, scan, 'COUNT', 1000);
    scan = next;
    ids.forEach((v) => viewers.add(v));
  } while (scan !== '0');
  for (const v of await r.zrange(a.dirty, 0, -1)) viewers.add(v);
  const pr = presenceKeys(ctx.keys, id);
  for (const v of await r.zrange(pr.unique, 0, -1)) viewers.add(v);
  // each viewer's activity hash and presence-minute bitmap (the mechanics' input)
  for (const v of viewers) keys.push(a.viewer(v), pr.minutes(v));
  keys.push(a.dirty);
  keys.push(pr.seen, pr.unique, pr.watchFrom);
  const c = chatKeys(ctx.keys, id);
  keys.push(c.history, c.modlog, c.banned, exportKeys(ctx.keys, id).chatLog);
  const cp = couponKeys(ctx.keys, id);
  for (const dropId of await r.zrange(cp.all, 0, -1)) {
    const d = dropKeys(ctx.keys, id, dropId);
    keys.push(d.claims, d.ops);
  }
  keys.push(cp.codes, cp.redeemed, cp.rewards);
  await tombstoneOrders(ctx, streamOrderKeys(ctx.keys, id).orders);
  for (const m of await readMoments(r, ctx.keys, id)) {
    if (m.kind === 'quiz') {
      const q = quizKeys(ctx.keys, id);
      keys.push(q.answers(m.id), q.correct(m.id), q.delivered(m.id));
    } else if (m.kind === 'lottery') keys.push(lotteryKeys(ctx.keys, id).entries(m.id));
    // a poll's votes by viewer; its counts per option (what the summary and the poll's results show) stay
    else if (m.kind === 'poll') keys.push(pollKeys(ctx.keys, id).votes(m.id));
  }
  for (const productId of await r.hkeys(productKeys(ctx.keys, id).catalog)) {
    keys.push(productKeys(ctx.keys, id).clickers(productId), productKeys(ctx.keys, id).firstClicks(productId));
  }
  const qa = qaKeys(ctx.keys, id);
  keys.push(qa.open, qa.openBy, qa.askPins, qa.clickedPinned, ...unlisted);
  // the survey's answers (the tally per score and the survey as opened stay: the summary's survey block)
  keys.push(surveyKeys(ctx.keys, id).answers);
  // which viewer each referrer brought into the stream (the brand's referral records and counts stay)
  keys.push(streamReferralKeys(ctx.keys, id).referred);
  keys.push(summaryKeys(ctx.keys, id).live);
  await del(ctx, keys);
  return 'dropped';
}

/**
 * The retention job: every stream that ended more than RETENTION_DAYS ago loses its raw per-viewer events.
 * Does nothing when RETENTION_DAYS is 0. Idempotent; a stream not ready yet (summary, rollup) is tried again next run.
 */
export async function applyRetention(ctx: AppContext): Promise<{ dropped: string[]; waiting: string[] }> {
  const days = ctx.config.RETENTION_DAYS;
  if (days <= 0) return { dropped: [], waiting: [] };
  await backfill(ctx);
  const k = retentionKeys(ctx);
  const due = await ctx.redis.zrangebyscore(k.ended, '-inf', ctx.clock.now() - days * DAY_MS, 'LIMIT', 0, STREAMS_PER_RUN);
  const dropped: string[] = [];
  const waiting: string[] = [];
  if (due.length === 0) return { dropped, waiting };
  const unlisted = await unlistedKeys(ctx, new Set(due));
  for (const [i, stream] of (await streamStore(ctx).getMany(due)).entries()) {
    if (!stream) {
      await ctx.redis.zrem(k.ended, due[i]!);
      continue;
    }
    const outcome = await dropRawEvents(ctx, stream, unlisted.get(stream.id) ?? []);
    if (outcome === 'dropped') {
      await ctx.redis.zrem(k.ended, stream.id);
      dropped.push(stream.id);
    } else {
      waiting.push(stream.id);
      ctx.log.warn({ streamId: stream.id, outcome }, 'retention: stream past retention kept for now');
    }
  }
  if (dropped.length) ctx.log.info({ dropped: dropped.length, days }, 'retention: raw per-viewer events dropped');
  return { dropped, waiting };
}
