import { COUNTED_METRICS, type BrandExportTable, type ExportTable, type RedemptionRecord } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import type { RedisClient } from '../redis/client.js';
import { pairs } from '../redis/replies.js';
import type { StreamRecord } from '../streams/streams.store.js';
import type { ChatMessage } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import { chatKeys } from '../chat/chat.keys.js';
import { exportKeys } from './exports.keys.js';
import { couponKeys } from '../coupons/coupons.keys.js';
import type { CouponRecord } from '../coupons/coupons.codes.js';
import { streamOrderKeys } from '../orders/orders.keys.js';
import { surveyKeys } from '../survey/survey.keys.js';
import { brandPointsKeys } from '../points/points.keys.js';
import type { SurveyAnswerRecord } from '../survey/survey.store.js';
import type { OrderAttribution } from '../orders/orders.store.js';
import { forEachViewerBatch, interactionsOf, metric, summaryStore } from '../summary/summary.viewers.js';

/** One cell of an exported row: the same value goes into NDJSON as is and into CSV as text. */
export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

/** Rows per Redis read and per write to the response: bounded memory whatever the stream's size. */
export const PAGE = 500;

export interface TableDef {
  /** Columns in CSV order (NDJSON objects carry the same keys); every row starts with streamId. */
  columns: readonly string[];
  /** Reads the stream's rows page by page; `emit` resolves once the page is written (backpressure). */
  read(ctx: AppContext, stream: StreamRecord, emit: (rows: Row[]) => Promise<void>): Promise<void>;
}

const iso = (ms: number | undefined | null): string | null => (ms === undefined || ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

/** HSCAN in pages; a field HSCAN returns twice (a rehash) is emitted once. */
async function hscanPages(redis: RedisClient, key: string, onPage: (entries: [string, string][]) => Promise<void>): Promise<void> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', PAGE);
    cursor = next;
    const page: [string, string][] = [];
    for (const [f, v] of pairs(flat)) {
      if (seen.has(f)) continue;
      seen.add(f);
      page.push([f, v]);
    }
    if (page.length) await onPage(page);
  } while (cursor !== '0');
}

const viewers: TableDef = {
  columns: ['streamId', 'viewerId', 'returning', 'firstAt', 'lastAt', 'watchSec', ...COUNTED_METRICS, 'interactions'],
  async read(ctx, stream, emit) {
    const ids = [...(await summaryStore(ctx).population(stream.id))].sort();
    await forEachViewerBatch(ctx, stream, ids, (rows) =>
      emit(
        rows.map((r) => {
          const a = r.activity;
          const row: Row = {
            streamId: stream.id,
            viewerId: r.viewerId,
            returning: r.returning,
            firstAt: iso(a.firstAt),
            lastAt: iso(a.lastAt),
            watchSec: Math.round(metric(a, 'watchMs') / 100) / 10,
          };
          for (const m of COUNTED_METRICS) row[m] = metric(a, m);
          row.interactions = interactionsOf(a);
          return row;
        }),
      ),
    );
  },
};

/**
 * The chat log hook (CHAT_LOG): every accepted message joins the stream's log, keyed by its id. Not awaited
 * by the sender's answer: the message is committed and fanned out already; a write lost to a crash in
 * between leaves one line out of the log (the hot history has it).
 */
export function logChatMessage(ctx: AppContext, stream: StreamRecord, _user: User, message: ChatMessage): Promise<void> {
  if (!ctx.config.CHAT_LOG) return Promise.resolve();
  ctx.redis
    .zadd(exportKeys(ctx.keys, stream.id).chatLog, Number(message.id), JSON.stringify(message))
    .catch((err: Error) => ctx.log.warn({ err: err.message, streamId: stream.id, messageId: message.id }, 'chat log: a message was not logged (the export will miss it)'));
  return Promise.resolve();
}

/** Ids of the messages moderators deleted (from the moderation log, newest 10,000 actions). */
async function deletedMessageIds(ctx: AppContext, streamId: string): Promise<Set<string>> {
  const out = new Set<string>();
  const key = chatKeys(ctx.keys, streamId).modlog;
  for (let start = 0; ; start += PAGE) {
    const raw = await ctx.redis.lrange(key, start, start + PAGE - 1);
    for (const r of raw) {
      if (!r.includes('"delete"')) continue;
      const a = JSON.parse(r) as { action?: string; messageId?: string };
      if (a.action === 'delete' && a.messageId) out.add(a.messageId);
    }
    if (raw.length < PAGE) return out;
  }
}

/**
 * The stream's chat, oldest first: its full log (CHAT_LOG) when it has one, with the messages moderators
 * deleted marked; otherwise the hot history (the newest CHAT_HISTORY messages, deleted ones already gone).
 */
const chat: TableDef = {
  columns: ['streamId', 'messageId', 'at', 'userId', 'name', 'role', 'text', 'deleted'],
  async read(ctx, stream, emit) {
    const log = exportKeys(ctx.keys, stream.id).chatLog;
    const full = (await ctx.redis.exists(log)) === 1;
    const key = full ? log : chatKeys(ctx.keys, stream.id).history;
    const deleted = full ? await deletedMessageIds(ctx, stream.id) : new Set<string>();
    let after = '-inf';
    for (;;) {
      // by message id (the score), not rank: a message trimmed meanwhile does not shift the next page
      const flat = await ctx.redis.zrangebyscore(key, after, '+inf', 'WITHSCORES', 'LIMIT', 0, PAGE);
      if (flat.length === 0) return;
      const rows: Row[] = [];
      for (const [json, score] of pairs(flat)) {
        after = `(${score}`;
        const m = JSON.parse(json) as { id: string; userId: string; name: string; role?: string; text: string; at: number };
        rows.push({ streamId: stream.id, messageId: m.id, at: iso(m.at), userId: m.userId, name: m.name, role: m.role ?? null, text: m.text, deleted: deleted.has(m.id) });
      }
      await emit(rows);
    }
  },
};

/** Counted orders attributed to the stream (an order still being counted is left out). */
const orders: TableDef = {
  columns: ['streamId', 'orderId', 'viewerId', 'at', 'amountCents', 'currency', 'attributedBy', 'couponCode'],
  async read(ctx, stream, emit) {
    await hscanPages(ctx.redis, streamOrderKeys(ctx.keys, stream.id).orders, async (entries) => {
      const rows: Row[] = [];
      for (const [orderId, v] of entries) {
        if (!v.startsWith('{')) continue; // `pending:<ms>` (a delivery is counting it now) or `counted` (its record dropped by retention)
        const o = JSON.parse(v) as OrderAttribution;
        rows.push({ streamId: stream.id, orderId, viewerId: o.viewerId, at: iso(o.at), amountCents: o.amountCents, currency: o.currency, attributedBy: o.by, couponCode: o.couponCode ?? null });
      }
      if (rows.length) await emit(rows);
    });
  },
};

/** Every coupon code issued in the stream (drop claims and rewards), with the order that redeemed it. */
const claims: TableDef = {
  columns: ['streamId', 'code', 'viewerId', 'at', 'dropId', 'source', 'sourceId', 'title', 'discountType', 'discountValue', 'redeemedBy'],
  async read(ctx, stream, emit) {
    const k = couponKeys(ctx.keys, stream.id);
    await hscanPages(ctx.redis, k.codes, async (entries) => {
      const redeemed = await ctx.redis.hmget(k.redeemed, ...entries.map(([code]) => code));
      await emit(
        entries.map(([code, v], i) => {
          const c = JSON.parse(v) as CouponRecord;
          return {
            streamId: stream.id,
            code,
            viewerId: c.viewerId,
            at: iso(c.at),
            dropId: c.dropId ?? null,
            source: c.source ?? null,
            sourceId: c.sourceId ?? null,
            title: c.title,
            discountType: c.discount.type,
            discountValue: c.discount.value,
            redeemedBy: redeemed[i] ?? null,
          };
        }),
      );
    });
  },
};

/** The chat moderation log, newest first (the log keeps the newest 10,000 actions). */
const moderation: TableDef = {
  columns: ['streamId', 'at', 'action', 'byId', 'byName', 'byRole', 'target', 'messageId', 'messageText', 'seconds', 'until', 'slowModeSec', 'blockedWords'],
  async read(ctx, stream, emit) {
    const key = chatKeys(ctx.keys, stream.id).modlog;
    for (let start = 0; ; start += PAGE) {
      const raw = await ctx.redis.lrange(key, start, start + PAGE - 1);
      if (raw.length === 0) return;
      await emit(
        raw.map((r) => {
          const a = JSON.parse(r) as {
            at: number;
            action: string;
            by: { id: string; name: string; role: string };
            target?: string;
            messageId?: string;
            message?: { id?: string; text?: string };
            seconds?: number;
            until?: number;
            slowModeSec?: number;
            blockedWords?: number;
          };
          return {
            streamId: stream.id,
            at: iso(a.at),
            action: a.action,
            byId: a.by?.id ?? null,
            byName: a.by?.name ?? null,
            byRole: a.by?.role ?? null,
            target: a.target ?? null,
            messageId: a.messageId ?? a.message?.id ?? null,
            messageText: a.message?.text ?? null,
            seconds: a.seconds ?? null,
            until: iso(a.until),
            slowModeSec: a.slowModeSec ?? null,
            blockedWords: a.blockedWords ?? null,
          };
        }),
      );
      if (raw.length < PAGE) return;
    }
  },
};

/** The post-stream survey's answers (in hash order, as orders and claims), each with its comment as the viewer wrote it. */
const survey: TableDef = {
  columns: ['streamId', 'viewerId', 'score', 'comment', 'at'],
  async read(ctx, stream, emit) {
    await hscanPages(ctx.redis, surveyKeys(ctx.keys, stream.id).answers, (entries) =>
      emit(
        entries.map(([viewerId, raw]) => {
          const a = JSON.parse(raw) as SurveyAnswerRecord;
          return { streamId: stream.id, viewerId, score: a.score, comment: a.comment ?? null, at: iso(a.at) };
        }),
      ),
    );
  },
};

export const TABLES: Record<ExportTable, TableDef> = { viewers, chat, orders, claims, moderation, survey };

/** A table of the brand's own, not of its streams: rows in [from, to) of their own time. */
export interface BrandTableDef {
  columns: readonly string[];
  read(ctx: AppContext, brandId: string, range: { from?: number | undefined; to?: number | undefined }, emit: (rows: Row[]) => Promise<void>): Promise<void>;
}

/** The brand's reward redemptions made in [from, to), oldest first (in pages of the brand's time index). */
const redemptions: BrandTableDef = {
  columns: ['brandId', 'redemptionId', 'viewerId', 'at', 'rewardId', 'kind', 'title', 'cost', 'code'],
  async read(ctx, brandId, range, emit) {
    const k = brandPointsKeys(ctx.keys, brandId);
    const max = range.to === undefined ? '+inf' : `(${range.to}`;
    let min: string | number = range.from ?? '-inf';
    for (;;) {
      // by time (the score), not rank; ties at the page's last time are read again and skipped by id
      const flat = await ctx.redis.zrangebyscore(k.redemptionsByTime, min, max, 'WITHSCORES', 'LIMIT', 0, PAGE);
      if (flat.length === 0) return;
      const ids: string[] = [];
      for (const [id, score] of pairs(flat)) {
        ids.push(id);
        min = `(${score}`;
      }
      const last = Number(flat[flat.length - 1]);
      // the page's last time may have more redemptions beyond the page: take them all now
      if (flat.length / 2 === PAGE) for (const id of await ctx.redis.zrangebyscore(k.redemptionsByTime, last, last)) if (!ids.includes(id)) ids.push(id);
      const raw = await ctx.redis.hmget(k.redemptions, ...ids);
      const rows: Row[] = [];
      raw.forEach((r, i) => {
        if (!r) return;
        const rec = JSON.parse(r) as RedemptionRecord;
        rows.push({ brandId, redemptionId: ids[i]!, viewerId: rec.viewerId, at: iso(rec.at), rewardId: rec.rewardId, kind: rec.kind, title: rec.title, cost: rec.cost, code: rec.code ?? null });
      });
      if (rows.length) await emit(rows);
      if (flat.length / 2 < PAGE) return;
    }
  },
};

export const BRAND_TABLES: Record<Exclude<BrandExportTable, ExportTable>, BrandTableDef> = { redemptions };
