import type { PinnedProduct } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import { perContext, type AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { userGate } from '../redis/event-gate.js';
import { addMoment } from '../activity/activity.store.js';
import { controlledStream } from '../streams/streams.service.js';
import type { StreamRecord } from '../streams/streams.store.js';
import type { JoinPart } from '../feature.js';
import { joinLookup } from '../room/join-reads.js';
import { markShared } from '../room/shared-values.js';
import { ProductStore, type LastJoin } from './products.store.js';

export const productStore = perContext((ctx) => new ProductStore(ctx.redis, ctx.keys));

/** Pins a product card (or unpins with null) for the room; a pin is a moment of the stream's timeline. */
export async function pinProduct(ctx: AppContext, user: User, streamId: string, product: PinnedProduct | null, now: number): Promise<void> {
  const stream = await controlledStream(ctx, user, streamId);
  if (stream.status === 'ended') throw new AppError('closed', 'the stream has ended');
  await productStore(ctx).pin(streamId, product);
  if (product) await addMoment(ctx.redis, ctx.keys, streamId, { at: now, kind: 'product', id: product.id, label: product.title });
  ctx.broadcast.toStream(streamId).emit('product:pinned', { streamId, product });
}

/** Counts a viewer's click on a product pinned in the stream (all clicks; scoring counts up to CLICK_SCORE_CAP). */
export async function clickProduct(ctx: AppContext, user: User, streamId: string, productId: string, now: number): Promise<void> {
  // the click and its activity record are one script
  await productStore(ctx).click({ streamId, productId, viewerId: user.id, now, cap: ctx.config.CLICK_SCORE_CAP }, userGate(ctx, streamId, user.id));
}

/**
 * The pinned product for the join snapshot (`product`, read once for the joins of a moment); remembers the
 * stream a viewer joined last (order attribution), one write for the joins of the moment.
 */
export function productsOnJoin(ctx: AppContext, stream: StreamRecord, user: User, part: JoinPart): JoinPart | Promise<JoinPart> {
  if (user.role !== 'viewer') return part;
  const last = { streamId: stream.id, brandId: stream.brandId, at: ctx.clock.now() };
  return joinLookup(ctx, stream.id, 'lastjoin', [user.id, last] as const, setLastJoins(ctx)).then(() => part);
}

/**
 * The pinned product's part of the join ack, the same for every join of a moment (JoinHook.shared): marked
 * shared, so the transport encodes it once for all their acks.
 */
export async function productJoinPart(ctx: AppContext, streamId: string): Promise<JoinPart> {
  const product = await productStore(ctx).pinned(streamId);
  return product ? { pinned: markShared({ product }) } : {};
}

/** The last joins of a moment, written at once (a join storm when the stream goes live). */
const setLastJoins = perContext((ctx) => async (joins: readonly (readonly [string, LastJoin])[]) => {
  await productStore(ctx).setLastJoins(joins);
  return joins.map(() => undefined);
});
