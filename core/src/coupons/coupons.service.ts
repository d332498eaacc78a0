import type { RequestPayload } from '@stickyroom/sdk/protocol';
import { STOCK_PUSH_INTERVAL_MS } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import { afterCommit } from '../after-commit.js';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { userGate } from '../redis/event-gate.js';
import { addMoment, recordActivity } from '../activity/activity.store.js';
import { controlledStream, newId } from '../streams/streams.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { couponCodes } from './coupons.rewards.js';
import { makeStockPusher } from './coupons.stock.js';
import { CouponStore, publicDrop, type DropRecord } from './coupons.store.js';

export const couponStore = perContext((ctx) => new CouponStore(ctx.redis, ctx.keys));
export const stockPusher = makeStockPusher(couponStore);

/** What never changes about a drop, cached per node so a claim costs no extra round trip. */
type DropFacts = Pick<DropRecord, 'id' | 'streamId' | 'brandId' | 'title' | 'discount'>;
const FACTS_MAX = 10_000;
const dropFacts = perContext(() => new Map<string, DropFacts>());

async function factsOf(ctx: AppContext, dropId: string): Promise<DropFacts> {
  const cache = dropFacts(ctx);
  const hit = cache.get(dropId);
  if (hit) return hit;
  const streamId = await couponStore(ctx).dropStream(dropId);
  const drop = streamId ? await couponStore(ctx).get(streamId, dropId) : null;
  if (!drop) throw new AppError('not_found', `no coupon drop ${dropId}`);
  const facts: DropFacts = { id: drop.id, streamId: drop.streamId, brandId: drop.brandId, title: drop.title, discount: drop.discount };
  if (cache.size >= FACTS_MAX) cache.delete(cache.keys().next().value!);
  cache.set(dropId, facts);
  return facts;
}

export async function dropCoupon(ctx: AppContext, user: User, p: RequestPayload<'coupon:drop'>, now: number) {
  const stream = await controlledStream(ctx, user, p.streamId);
  if (stream.status !== 'live') throw new AppError('not_live', `the stream is ${stream.status}`);
  const drop: DropRecord = {
    id: newId(),
    streamId: stream.id,
    brandId: stream.brandId,
    title: p.title,
    discount: p.discount,
    quantity: p.quantity,
    remaining: p.quantity,
    perViewer: p.perViewer,
    endsAt: now + p.durationSec * 1000,
    createdAt: now,
    status: 'open',
  };
  if (p.minWatchSec) drop.minWatchSec = p.minWatchSec;
  await couponStore(ctx).create(drop);
  await ctx.jobs.at({ type: 'drop.end', dropId: drop.id, streamId: stream.id }, drop.endsAt, now);
  await addMoment(ctx.redis, ctx.keys, stream.id, { at: now, kind: 'drop', id: drop.id, label: drop.title });
  ctx.broadcast.toStream(stream.id).emit('coupon:dropped', publicDrop(drop));
  ctx.log.info({ streamId: stream.id, dropId: drop.id, quantity: drop.quantity, by: user.id }, 'coupon dropped');
  return { drop: { id: drop.id, remaining: drop.remaining, endsAt: drop.endsAt } };
}

/**
 * A refused claim's answer is kept this long for a retry with the same opId: the SDK retries a lost ack
 * after its 10 s ack timeout (or on reconnecting), so 15 s covers it. Codes are kept far longer (see the script).
 */
export const REFUSAL_REPLAY_MS = 15_000;

/**
 * Claims one coupon for a viewer: one atomic script decides; the code is made here (crypto) and in the
 * global index before the script runs, so an order can always find a code that was handed out.
 */
export async function claimCoupon(
  ctx: AppContext,
  user: User,
  p: RequestPayload<'coupon:claim'>,
  now: number,
  requireJoined: (streamId: string) => void,
): Promise<{ code: string; dropId: string }> {
  const facts = await factsOf(ctx, p.dropId);
  requireJoined(facts.streamId);
  const codes = couponCodes(ctx);
  const proposed = await codes.propose(facts.streamId);
  let out;
  try {
    out = await couponStore(ctx).claim({
      streamId: facts.streamId,
      dropId: facts.id,
      viewerId: user.id,
      opId: p.opId,
      now,
      stockIntervalMs: STOCK_PUSH_INTERVAL_MS,
      refusalReplayMs: REFUSAL_REPLAY_MS,
      record: { code: proposed, streamId: facts.streamId, brandId: facts.brandId, viewerId: user.id, dropId: facts.id, title: facts.title, discount: facts.discount, at: now },
    }, userGate(ctx, facts.streamId, user.id));
  } catch (err) {
    // Refused: the code was not handed out. Without a reply it may have been, so its index entry stays
    // (one for a code nobody holds is harmless, see CouponCodeStore).
    if (err instanceof AppError) await codes.withdraw(proposed);
    throw err;
  }
  if (out.code !== proposed) {
    // a retry of an answered claim: the viewer's code is the first one
    await codes.withdraw(proposed);
    return { code: out.code, dropId: facts.id };
  }
  // The code is issued: the viewer gets it whatever happens next (see afterCommit).
  await afterCommit(ctx, 'the coupon claim activity record', () =>
    recordActivity(ctx.redis, ctx.keys, { streamId: facts.streamId, viewerId: user.id, metric: 'couponClaims', at: now }),
  );
  const room = ctx.broadcast.toStream(facts.streamId);
  if (out.pushStock) room.emit('coupon:stock', { dropId: facts.id, streamId: facts.streamId, remaining: out.remaining });
  else stockPusher(ctx).later(facts.streamId, facts.id);
  if (out.soldOutNow) {
    await afterCommit(ctx, 'the sold-out push', async () => {
      const drop = await couponStore(ctx).get(facts.streamId, facts.id);
      room.emit('coupon:ended', { dropId: facts.id, streamId: facts.streamId, reason: 'sold_out', claimed: drop?.quantity ?? 0 });
    });
  }
  return { code: out.code, dropId: facts.id };
}

/** Ends a drop once, whoever asks first (window job, streamer, stream end); pushes `coupon:ended` once. */
export async function endDrop(ctx: AppContext, streamId: string, dropId: string, reason: 'expired' | 'ended'): Promise<{ claimed: number; remaining: number }> {
  const res = await couponStore(ctx).end(streamId, dropId, reason, ctx.clock.now());
  const claimed = res.quantity - res.remaining;
  if (res.changed) {
    ctx.broadcast.toStream(streamId).emit('coupon:ended', { dropId, streamId, reason, claimed });
    ctx.log.info({ streamId, dropId, reason, claimed }, 'coupon drop ended');
  }
  return { claimed, remaining: res.remaining };
}

export async function endDropByStaff(ctx: AppContext, user: User, dropId: string) {
  const facts = await factsOf(ctx, dropId);
  await controlledStream(ctx, user, facts.streamId);
  return endDrop(ctx, facts.streamId, dropId, 'ended');
}

export async function endStreamDrops(ctx: AppContext, stream: StreamRecord): Promise<void> {
  for (const dropId of await couponStore(ctx).openIds(stream.id)) await endDrop(ctx, stream.id, dropId, 'ended');
}

export async function openDrops(ctx: AppContext, streamId: string) {
  const now = ctx.clock.now();
  return (await couponStore(ctx).open(streamId)).filter((d) => d.endsAt > now).map(publicDrop);
}
