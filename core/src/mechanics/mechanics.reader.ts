import type { AppContext } from '../context.js';
import { activityKeys } from '../activity/activity.keys.js';
import { readMoments } from '../activity/activity.store.js';
import type { CouponRecord } from '../coupons/coupons.codes.js';
import { couponKeys } from '../coupons/coupons.keys.js';
import { lotteryKeys } from '../lottery/lottery.keys.js';
import { brandOrderKeys, streamOrderKeys } from '../orders/orders.keys.js';
import { pointsKeys } from '../points/points.keys.js';
import { presenceKeys } from '../presence/presence.keys.js';
import { productKeys } from '../products/products.keys.js';
import { qaKeys } from '../qa/qa.keys.js';
import { quizKeys } from '../quiz/quiz.keys.js';
import { segmentsBefore } from '../scoring/scoring.store.js';
import { brandStreamKeys } from '../streams/streams.keys.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { summaryKeys } from '../summary/summary.keys.js';
import type { MechanicType, MomentInput, StreamInput, ViewerInput } from './mechanics.compute.js';

/** Commands per pipeline round when reading one value per viewer. */
const CHUNK = 500;

/** The reward source of a mechanic in coupon records and points grants (`<source>:<id>`); drops and pins grant no points. */
const REWARD_SOURCE: Partial<Record<MechanicType, 'quiz' | 'question' | 'lottery'>> = { quiz: 'quiz', qa: 'question', lottery: 'lottery' };

const KIND_TO_TYPE: Record<string, MechanicType | undefined> = { quiz: 'quiz', lottery: 'lottery', drop: 'drop', product: 'product', qa: 'qa' };

/** Set bits of a bitmap (Redis bit order: the high bit of byte 0 is bit 0). */
export function bitmapMinutes(buf: Buffer | null): Set<number> {
  const out = new Set<number>();
  if (!buf) return out;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b === 0) continue;
    for (let j = 0; j < 8; j++) if (b & (0x80 >> j)) out.add(i * 8 + j);
  }
  return out;
}

async function chunked<T, R>(items: readonly T[], run: (chunk: readonly T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(...(await run(items.slice(i, i + CHUNK))));
  return out;
}

function replies<T>(res: [Error | null, unknown][] | null): T[] {
  if (!res) throw new Error('pipeline aborted');
  return res.map(([err, v]) => {
    if (err) throw err;
    return v as T;
  });
}

/** The viewers of the brand's next stream (by creation order), once it is finalized; null otherwise. */
async function nextStreamViewers(ctx: AppContext, stream: StreamRecord): Promise<Set<string> | null> {
  const ids = await ctx.redis.zrangebyscore(brandStreamKeys(ctx.keys, stream.brandId).streams, `(${stream.createdAt}`, '+inf', 'LIMIT', 0, 1);
  const next = ids[0];
  if (!next) return null;
  const s = summaryKeys(ctx.keys, next);
  const [finalized, members] = await Promise.all([ctx.redis.exists(s.final), ctx.redis.smembers(s.viewers)]);
  return finalized ? new Set(members) : null;
}

/**
 * Everything the computation needs of one started stream: its moments with the viewers each touched and
 * its cost, the timeline, and every viewer's presence minutes, segment and orders with the brand.
 */
export async function readStreamInput(ctx: AppContext, stream: StreamRecord, now: number): Promise<StreamInput | null> {
  if (stream.startedAt === undefined) return null;
  const { redis, keys } = ctx;
  const startMinute = Math.floor(stream.startedAt / 60_000);
  const lastIndex = Math.floor((stream.endedAt ?? now) / 60_000) - startMinute;
  const act = activityKeys(keys, stream.id);
  const coupons = couponKeys(keys, stream.id);
  const [rawMoments, timelineRaw, unique, codesRaw, redeemed, ordersRaw, next] = await Promise.all([
    readMoments(redis, keys, stream.id),
    redis.hgetall(act.timeline),
    redis.zrange(presenceKeys(keys, stream.id).unique, 0, -1),
    redis.hgetall(coupons.codes),
    redis.hgetall(coupons.redeemed),
    redis.hgetall(streamOrderKeys(keys, stream.id).orders),
    nextStreamViewers(ctx, stream),
  ]);
  const timeline: Record<string, number> = {};
  for (const [k, v] of Object.entries(timelineRaw)) timeline[k] = Number(v);
  const codes = Object.values(codesRaw).map((r) => JSON.parse(r) as CouponRecord);
  const orderAmount = (orderId: string): number => {
    const raw = ordersRaw[orderId];
    if (!raw || raw.startsWith('pending:')) return 0;
    return (JSON.parse(raw) as { amountCents: number }).amountCents;
  };

  const moments = rawMoments
    .flatMap((m) => {
      const type = KIND_TO_TYPE[m.kind];
      return type ? [{ ...m, type }] : [];
    })
    .sort((a, b) => a.at - b.at);

  const inputs: MomentInput[] = [];
  for (const m of moments) {
    let touched: Set<string>;
    let claims: Map<string, number> | undefined;
    switch (m.type) {
      case 'quiz':
        touched = new Set(await redis.hkeys(quizKeys(keys, stream.id).answers(m.id)));
        break;
      case 'lottery':
        touched = new Set(await redis.hkeys(lotteryKeys(keys, stream.id).entries(m.id)));
        break;
      case 'drop': {
        claims = new Map();
        for (const c of codes) if (c.dropId === m.id && (claims.get(c.viewerId) ?? Infinity) > c.at) claims.set(c.viewerId, c.at);
        touched = new Set(claims.keys());
        break;
      }
      case 'product': {
        // a viewer's first click on the product falls in this pin's interval: until the same product's next pin
        const nextPin = moments.find((n) => n.type === 'product' && n.id === m.id && n.at > m.at);
        touched = new Set(await redis.zrangebyscore(productKeys(keys, stream.id).firstClicks(m.id), m.at, nextPin ? `(${nextPin.at}` : '+inf'));
        break;
      }
      case 'qa': {
        const q = qaKeys(keys, stream.id);
        const [asker, voters] = await Promise.all([redis.hget(q.question(m.id), 'userId'), redis.smembers(q.voters(m.id))]);
        touched = new Set([...(asker ? [asker] : []), ...voters]);
        break;
      }
    }

    // cost: the discount of the moment's coupons an order redeemed; the points its grants credited
    const source = REWARD_SOURCE[m.type];
    const own = codes.filter((c) => (m.type === 'drop' ? c.dropId === m.id : source !== undefined && c.source === source && c.sourceId === m.id));
    let couponDiscountCents: number | null = null;
    if (m.type === 'drop' || own.length > 0) {
      couponDiscountCents = 0;
      for (const c of own) {
        const orderId = redeemed[c.code];
        if (!orderId) continue;
        couponDiscountCents += c.discount.type === 'amount' ? Math.round(c.discount.value * 100) : Math.round((orderAmount(orderId) * c.discount.value) / 100);
      }
    }
    let pointsGranted: number | null = null;
    if (source) {
      const ids = [...touched];
      const granted = await chunked(ids, async (chunk) => {
        const p = redis.pipeline();
        // the grant's field in the viewer's points, and in the older layout's grants (not folded in yet)
        for (const v of chunk) {
          const k = pointsKeys(keys, stream.brandId, v);
          p.hget(k.points, `g:${source}:${m.id}`);
          p.hget(k.old.grants, `${source}:${m.id}`);
        }
        return replies<string | null>(await p.exec());
      });
      pointsGranted = granted.reduce((a, g) => a + (g ? Number(g) : 0), 0);
    }
    inputs.push({ id: m.id, type: m.type, at: m.at, label: m.label, touched, ...(claims ? { claims } : {}), couponDiscountCents, pointsGranted });
  }

  // every viewer seen or touched: presence minutes (stream slot), orders with the brand (brand slot), segment
  const ids = [...new Set([...unique, ...inputs.flatMap((m) => [...m.touched])])];
  const presence = presenceKeys(keys, stream.id);
  const bitmaps = await chunked(ids, async (chunk) => {
    const p = redis.pipeline();
    for (const v of chunk) p.getBuffer(presence.minutes(v));
    return replies<Buffer | null>(await p.exec());
  });
  const histories = await chunked(ids, async (chunk) => {
    const p = redis.pipeline();
    for (const v of chunk) {
      const o = brandOrderKeys(keys, stream.brandId, v);
      p.zrange(o.history, 0, -1, 'WITHSCORES');
      p.hgetall(o.amounts);
    }
    const r = replies<unknown>(await p.exec());
    const out: { at: number; streamId: string | null }[][] = [];
    for (let i = 0; i < r.length; i += 2) {
      const flat = r[i] as string[];
      const amounts = r[i + 1] as Record<string, string>;
      const orders: { at: number; streamId: string | null }[] = [];
      for (let j = 0; j < flat.length; j += 2) {
        const raw = amounts[flat[j]!];
        orders.push({ at: Number(flat[j + 1]), streamId: raw ? ((JSON.parse(raw) as { streamId: string | null }).streamId ?? null) : null });
      }
      out.push(orders);
    }
    return out;
  });
  const segments = ids.length ? await segmentsBefore(ctx, stream.brandId, stream.id, ids) : [];
  const viewers = new Map<string, ViewerInput>();
  ids.forEach((id, i) => viewers.set(id, { minutes: bitmapMinutes(bitmaps[i] ?? null), segment: segments[i] ?? 'none', orders: histories[i] ?? [] }));

  return { streamId: stream.id, startMinute, lastIndex, timeline, viewers, nextStreamViewers: next, moments: inputs };
}
