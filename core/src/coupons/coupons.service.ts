import type { RequestPayload } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { userGate } from '../redis/event-gate.js';
import { isCluster } from '../redis/client.js';
import { addMoment } from '../activity/activity.store.js';
import { newScopedId, streamOf } from '../streams/scoped-id.js';
import { controlledStream } from '../streams/streams.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { couponCodes } from './coupons.rewards.js';
import { FLUSH_SLACK_MS, makeStockPusher, stockInterval } from './coupons.stock.js';
import { CouponStore, publicDrop, type DropRecord } from './coupons.store.js';
import { opOf } from './coupons.scripts.js';
import { emitWebhookLater, streamBrand } from '../webhooks/webhooks.service.js';
import { AudienceCache, isEligible, pushTo, requireAudience, type Standing } from '../audience/audience.service.js';
import type { Audience } from '@stickyroom/sdk/protocol';
import { soldOutToldRoom } from '../pusher.js';
import { latchedDrops } from './coupons.latch.js';

export const couponStore = perContext((ctx) => new CouponStore(ctx.redis, ctx.keys, isCluster(ctx.redis) ? ctx.config.REDIS_REPLICA_ACK_MS : undefined));
export const stockPusher = makeStockPusher(couponStore, (ctx, streamId, dropId) => dropAudience(ctx, streamId, dropId));

/** The stream a drop id belongs to; ids we did not mint are simply not found. */
export const streamOfDrop = (dropId: string): string => streamOf(dropId, 'coupon drop');

export async function dropCoupon(ctx: AppContext, user: User, p: RequestPayload<'coupon:drop'>, now: number) {
  const stream = await controlledStream(ctx, user, p.streamId);
  if (stream.status !== 'live') throw new AppError('not_live', `the stream is ${stream.status}`);
  const drop: DropRecord = {
    id: newScopedId(stream.id),
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
  if (p.audience) drop.audience = p.audience;
  await couponStore(ctx).create(drop);
  await ctx.jobs.at({ type: 'drop.end', dropId: drop.id, streamId: stream.id }, drop.endsAt, now);
  await addMoment(ctx.redis, ctx.keys, stream.id, { at: now, kind: 'drop', id: drop.id, label: drop.title });
  // a targeted drop reaches only the viewers it is for (and the staff): nobody is shown what they cannot claim
  pushTo(ctx, stream.id, drop.audience).emit('coupon:dropped', publicDrop(drop));
  ctx.log.info({ streamId: stream.id, dropId: drop.id, quantity: drop.quantity, by: user.id, audience: drop.audience }, 'coupon dropped');
  return { drop: { id: drop.id, remaining: drop.remaining, endsAt: drop.endsAt } };
}

/**
 * A refused claim's answer is kept this long for a retry with the same opId: the SDK retries a lost ack
 * after its 10 s ack timeout (or on reconnecting), so 15 s covers it. Codes are kept far longer (see the script).
 */
export const REFUSAL_REPLAY_MS = 15_000;

/** Drops' audiences as this node has read them (set when the drop is made, never changed): see AudienceCache. */
const dropAudiences = perContext(() => new AudienceCache());

/** A drop's audience (undefined: everyone), read once per node. */
export const dropAudience = (ctx: AppContext, streamId: string, dropId: string): Promise<Audience | undefined> =>
  dropAudiences(ctx).get(dropId, async () => {
    const d = await couponStore(ctx).audience(streamId, dropId);
    // the same read bounds the stock the drop's fresh claims may wait for (coupons.latch.ts, ClaimWindow)
    if (d && d.quantity > 0) latchedDrops(ctx).window(dropId).lower(d.quantity);
    return d ? d.audience : null;
  });

/**
 * Claims one coupon for a viewer: one atomic script decides, issues a fresh random code (made here,
 * crypto) in the stream's record and counts the claim in the activity ledger. A refusal is that one round
 * trip and reserves nothing. A winner's code is then put in the global code index (another slot) before
 * the viewer is told it, so an order can always find a code that was handed out (CouponCodeStore.index;
 * a retry of a claim whose node died in between is answered the same code and indexes it). The drop's
 * stream is read from its id: no lookup before the script.
 */
export async function claimCoupon(
  ctx: AppContext,
  user: User,
  p: RequestPayload<'coupon:claim'>,
  now: number,
  requireJoined: (streamId: string) => void,
): Promise<{ code: string; dropId: string }> {
  const streamId = streamOfDrop(p.dropId);
  const dropId = p.dropId;
  requireJoined(streamId);
  // Targeting is checked before the script, which stays the one atomic step over the stock: the audience
  // never changes and the viewer's standing is read at join (cached), so an untargeted drop costs nothing.
  const audience = await dropAudience(ctx, streamId, dropId);
  await requireAudience(ctx, streamId, user.id, audience, 'drop');
  // A drop this node knows ended answers a claim that cannot be a replay (no opId, or the client's first
  // send of one) without the script: the script would refuse it alike (coupons.latch.ts). A retry always
  // goes on, so a claim that went through gets its code.
  const latch = latchedDrops(ctx);
  const fresh = p.fresh === true || p.opId === undefined;
  if (!fresh) return (await claimOnce(ctx, user, streamId, p, now, audience)).reply;
  const refused = latch.refusal(dropId);
  if (refused) throw refused;
  // while the claims in flight could take all the stock left, wait for their answers (ClaimWindow)
  const window = latch.window(dropId);
  const wait = window.enter();
  if (wait) await wait;
  let remaining: number | undefined;
  let unknown = false;
  try {
    const again = latch.refusal(dropId);
    if (again) throw again;
    const out = await claimOnce(ctx, user, streamId, p, now, audience);
    remaining = out.remaining;
    return out.reply;
  } catch (err) {
    // no answer from the script (Redis away, unavailable): the claims waiting behind it go on at once
    unknown = !(err instanceof AppError) || err.code === 'unavailable';
    throw err;
  } finally {
    window.leave(remaining, unknown);
  }
}

/** The claim script (and the code's indexing) for one claim of `streamId`'s drop; learns a sell-out or a close for the latch. */
async function claimOnce(
  ctx: AppContext,
  user: User,
  streamId: string,
  p: RequestPayload<'coupon:claim'>,
  now: number,
  audience: Audience | undefined,
): Promise<{ reply: { code: string; dropId: string }; remaining: number }> {
  const dropId = p.dropId;
  const latch = latchedDrops(ctx);
  const store = couponStore(ctx);
  const codes = couponCodes(ctx);
  const gate = userGate(ctx, streamId, user.id);
  const args = { streamId, dropId, viewerId: user.id, opId: p.opId, now, stockIntervalMs: stockInterval(ctx.broadcast.localAudience(streamId)), refusalReplayMs: REFUSAL_REPLAY_MS };
  // a refusal throws here, having reserved nothing (a sold_out or closed one is latched)
  let out;
  try {
    out = await store.claim({ ...args, code: codes.newCode(), gate });
  } catch (err) {
    latch.learn(dropId, err);
    throw err;
  }
  // the code is this stream's already (astronomically rare): the user's event was counted by the first call
  while (out.needsCode) out = await store.claim({ ...args, code: codes.newCode(), gate: { ...gate, limit: 0 } });
  // None left: sold out (this claim took the last coupon, or a replay found the drop sold out since). Latched
  // now, before the code's indexing round trip: the fresh claims waiting on the drop are refused a trip sooner.
  if (out.remaining === 0) latch.soldOut(dropId, out.quantity);
  // A replay's code (a retry of an answered claim, or ioredis resending a command whose reply a dropped
  // connection lost) is indexed again too: its first answer may never have got that far.
  const holder = { kind: 'claim' as const, dropId, field: opOf(args) };
  const code = await codes.index(streamId, out.code, (old, fresh) => store.recode({ streamId, holder, old, fresh }));
  if (out.replay) return { reply: { code, dropId }, remaining: out.remaining };
  // The code is issued and counted (the script wrote its activity record): the viewer gets it. The room
  // hears of it on the interval's trailing edge (coupons.stock.ts): this node comes back when it lapses.
  if (out.flushInMs > 0) stockPusher(ctx).later(streamId, dropId, out.flushInMs + FLUSH_SLACK_MS);
  // (its node's flush came late: the claim that took the next interval pushes the overdue count itself)
  if (out.pushStockNow) pushTo(ctx, streamId, audience).emit('coupon:stock', { dropId, streamId, remaining: out.remaining });
  // sold out with no interval running: nothing is coalescing, so `coupon:ended` (none left) goes at once, to
  // every socket but those a `sold_out` ack told already (the refused claims that raced this one)
  if (out.soldOut === 'now') pushTo(ctx, streamId, audience, [soldOutToldRoom(dropId)]).emit('coupon:ended', { dropId, streamId, reason: 'sold_out', claimed: out.quantity });
  // not awaited: the ack goes now; with no endpoint subscribed this reads nothing from Redis (node caches)
  emitWebhookLater(ctx, streamBrand(ctx).of(streamId), 'coupon.claimed', `coupon.claimed:${dropId}:${code}`, {
    streamId,
    dropId,
    viewerId: user.id,
    code,
    claimedAt: now,
  });
  return { reply: { code, dropId }, remaining: out.remaining };
}

/** Ends a drop once, whoever asks first (window job, streamer, stream end); pushes `coupon:ended` once. */
export async function endDrop(ctx: AppContext, streamId: string, dropId: string, reason: 'expired' | 'ended'): Promise<{ claimed: number; remaining: number }> {
  const res = await couponStore(ctx).end(streamId, dropId, reason, ctx.clock.now());
  const claimed = res.quantity - res.remaining;
  // ended now or before: none left means it sold out (a claim that takes the last coupon ends it), else it closed
  if (res.remaining === 0) latchedDrops(ctx).soldOut(dropId, res.quantity);
  else latchedDrops(ctx).closed(dropId);
  if (res.changed) {
    pushTo(ctx, streamId, await dropAudience(ctx, streamId, dropId)).emit('coupon:ended', { dropId, streamId, reason, claimed });
    ctx.log.info({ streamId, dropId, reason, claimed }, 'coupon drop ended');
  }
  return { claimed, remaining: res.remaining };
}

export async function endDropByStaff(ctx: AppContext, user: User, dropId: string) {
  const streamId = streamOfDrop(dropId);
  await controlledStream(ctx, user, streamId);
  return endDrop(ctx, streamId, dropId, 'ended');
}

export async function endStreamDrops(ctx: AppContext, stream: StreamRecord): Promise<void> {
  for (const dropId of await couponStore(ctx).openIds(stream.id)) await endDrop(ctx, stream.id, dropId, 'ended');
}

export async function openDrops(ctx: AppContext, streamId: string) {
  const now = ctx.clock.now();
  return (await couponStore(ctx).open(streamId)).filter((d) => d.endsAt > now).map(publicDrop);
}

/**
 * The open drops a joining user may see: all for the staff (no standing), else those whose audience admits the
 * viewer. When that is all of them, `drops` itself (a join's shared read, encoded once for every ack): the
 * result is never changed.
 */
export function dropsFor<T extends { audience?: Audience | undefined }>(drops: readonly T[], standing: Standing | undefined): T[] {
  if (!standing) return drops as T[];
  const seen = drops.filter((d) => isEligible(d.audience, standing).ok);
  return seen.length === drops.length ? (drops as T[]) : seen;
}
