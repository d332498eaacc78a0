import type { Keys } from '../redis/keys.js';

/** A stream's coupon drops and codes; every key in the stream's slot, so one script sees them all. */
export const couponKeys = (k: Keys, streamId: string) => ({
  /** HASH code -> JSON CouponRecord: every code issued in this stream (drop claims and rewards). */
  codes: k.stream(streamId, 'coupons', 'codes'),
  /** HASH code -> orderId: codes redeemed by an order (the first order wins). */
  redeemed: k.stream(streamId, 'coupons', 'redeemed'),
  /** HASH `<source>:<sourceId>:<viewerId>` -> code: reward coupons, one per (source, sourceId, viewer). */
  rewards: k.stream(streamId, 'coupons', 'rewards'),
  /** ZSET dropId -> endsAt: drops not ended yet. */
  open: k.stream(streamId, 'drops', 'open'),
  /** ZSET dropId -> createdAt: every drop of the stream. */
  all: k.stream(streamId, 'drops', 'all'),
});

export const dropKeys = (k: Keys, streamId: string, dropId: string) => ({
  /**
   * HASH id, streamId, brandId, title, discountType, discountValue, quantity, remaining, perViewer,
   * minWatchSec, createdAt, endsAt, status (open|ended), endReason, endedAt.
   */
  meta: k.stream(streamId, 'drop', dropId),
  /** HASH viewerId -> codes claimed. */
  claims: k.stream(streamId, 'drop', dropId, 'claims'),
  /** HASH op field (`opField`) -> the code that claim got: retries get it again. At most `quantity` fields. */
  ops: k.stream(streamId, 'drop', dropId, 'ops'),
  /** STRING refusal number with a short expiry: a retried refused claim hears the same refusal. */
  refusedOp: (field: string) => k.stream(streamId, 'drop', dropId, 'refused', field),
  /** STRING, what the room is owed at the interval's trailing edge: '1' the stock count, 'ended' the sell-out's `coupon:ended`. */
  stockPending: k.stream(streamId, 'drop', dropId, 'stockPending'),
  /** STRING with a PX expiry: the current push interval (its pushes wait until it lapses). */
  stockToken: k.stream(streamId, 'drop', dropId, 'stockToken'),
});

/**
 * One claim attempt of one viewer. Viewer ids cannot hold `|` (protocol `Id`), so no viewer can name an
 * attempt of another, whatever its opId holds.
 */
export const opField = (viewerId: string, opId: string) => `${viewerId}|${opId}`;

/** STRING streamId: finds a coupon code's stream (the order webhook). Written before the code is issued. */
export const codeIndexKey = (k: Keys, code: string) => k.lookup('coupon', code);
