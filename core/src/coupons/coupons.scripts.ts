import { activityKeys } from '../activity/activity.keys.js';
import type { EventGate } from '../redis/event-gate.js';
import type { Keys } from '../redis/keys.js';
import { defineScript } from '../redis/scripts.js';
import { streamKeys } from '../streams/streams.keys.js';
import type { CouponRecord } from './coupons.codes.js';
import { couponKeys, dropKeys, opField } from './coupons.keys.js';

export interface ClaimArgs {
  streamId: string;
  dropId: string;
  viewerId: string;
  opId?: string | undefined;
  /**
   * A fresh random code to issue if the claim succeeds; the caller indexes it globally afterwards
   * (CouponCodeStore.index). One this stream issued already is answered `needsCode`, nothing changed.
   */
  code: string;
  now: number;
  stockIntervalMs: number;
  /** How long a refusal is kept for a retry with the same opId (coupon-claim-15.lua says why). */
  refusalReplayMs: number;
  /** The user's event gate, counted by the script after its replay check (never for a replay). */
  gate: EventGate;
}

/** The claim's op field: '' without an opId. */
export const opOf = (a: { viewerId: string; opId?: string | undefined }): string => (a.opId ? opField(a.viewerId, a.opId) : '');

/** The keys of a claim that are the same for every claim of one drop, and the builders of the others. */
function claimKeysOf(k: Keys, streamId: string, dropId: string) {
  const d = dropKeys(k, streamId, dropId);
  const c = couponKeys(k, streamId);
  const act = activityKeys(k, streamId);
  return {
    streamMeta: streamKeys(k, streamId).meta,
    meta: d.meta,
    claims: d.claims,
    ops: d.ops,
    codes: c.codes,
    open: c.open,
    stockPending: d.stockPending,
    stockToken: d.stockToken,
    viewer: act.viewer,
    refusedOp: d.refusedOp,
    ledgerRest: act.ledgerRest,
  };
}

/** Drops whose claim keys a deployment prefix (a Keys) keeps built: a burst's claims hit a few drops. */
const CLAIM_KEYS_KEPT = 256;
const claimKeysKept = new WeakMap<Keys, Map<string, ReturnType<typeof claimKeysOf>>>();

/**
 * A drop's claim keys, built once per drop and kept for the next claims (the most recent CLAIM_KEYS_KEPT
 * drops): a claim burst built some 25 key strings per claim, the same for every claim of the drop, and
 * `Keys.stream` showed in its CPU profile (docs/benchmarks-history.md, claims). The names come from the feature's
 * key modules as before; only the building is not repeated.
 */
function claimKeysOfDrop(k: Keys, streamId: string, dropId: string): ReturnType<typeof claimKeysOf> {
  let byDrop = claimKeysKept.get(k);
  if (!byDrop) claimKeysKept.set(k, (byDrop = new Map()));
  // a drop id names its stream (`<streamId>.<random>`), but a caller may pass any pair: key on both
  const id = `${streamId}\n${dropId}`;
  let f = byDrop.get(id);
  if (!f) {
    f = claimKeysOf(k, streamId, dropId);
    byDrop.set(id, f);
    if (byDrop.size > CLAIM_KEYS_KEPT) byDrop.delete(byDrop.keys().next().value!);
  }
  return f;
}

/**
 * coupon-claim-15.lua: one coupon of a drop and its activity record, or the refusal; idempotent per opId
 * (a replay is answered before the event gate and every rule).
 */
export const couponClaim = defineScript({
  file: 'coupon-claim-15.lua',
  keys: (k, a: ClaimArgs) => {
    const f = claimKeysOfDrop(k, a.streamId, a.dropId);
    return [f.streamMeta, f.meta, f.claims, f.ops, f.codes, f.viewer(a.viewerId), f.open, f.stockPending, f.stockToken, f.refusedOp(opOf(a) || '-'), ...f.ledgerRest, a.gate.key];
  },
  argv: (a) => [a.viewerId, opOf(a), a.code, a.now, a.streamId, a.stockIntervalMs, a.refusalReplayMs, a.gate.limit],
  refusals: {
    [-1]: 'drop_closed',
    [-2]: 'sold_out',
    [-3]: 'drop_claimed',
    [-4]: 'drop_min_watch',
    [-5]: 'drop_not_found',
    [-6]: 'not_live',
    [-7]: 'event_rate_limit',
  },
  parse: ([code, remaining, flushIn, soldOut, quantity, replay]: [string, number, number, number, number, number]) => ({
    code,
    remaining,
    /** ms until this node pushes what the claim left owed to the room (the interval's trailing edge); 0: nothing. */
    flushInMs: Math.max(0, flushIn),
    /** The interval before lapsed with a change still owed: this claim took the new one, push the count now. */
    pushStockNow: flushIn === -1,
    /** This claim sold the drop out: `coupon:ended` goes 'now' (pushed by the caller) or with the interval's 'flush'. */
    soldOut: soldOut === 1 ? ('now' as const) : soldOut === 2 ? ('flush' as const) : undefined,
    quantity,
    /** The answer of an earlier attempt with the same opId: nothing was issued now. */
    replay: replay === 1,
    /** Every rule passed but the code is this stream's already: nothing changed; call again with another. */
    needsCode: code === '',
  }),
});

/**
 * coupon-stock-3.lua: what the drop owes the room, to push now (the remaining count, or the sell-out's
 * claimed count for `coupon:ended`), 'none', or how long another push holds the interval.
 */
export const couponStock = defineScript({
  file: 'coupon-stock-3.lua',
  keys: (k, a: { streamId: string; dropId: string; intervalMs: number }) => {
    const d = dropKeys(k, a.streamId, a.dropId);
    return [d.meta, d.stockPending, d.stockToken];
  },
  argv: (a) => [a.intervalMs],
  parse: ([state, n]: [number, number]): { push: number } | { ended: number } | { waitMs: number } | 'none' => {
    if (state === 1) return { push: n };
    if (state === 2) return { ended: n };
    if (state === -1) return { waitMs: n };
    return 'none';
  },
});

/** coupon-end-3.lua: ends an open drop once; `changed` only for the call that ended it. */
export const couponEnd = defineScript({
  file: 'coupon-end-3.lua',
  keys: (k, a: { streamId: string; dropId: string; reason: 'expired' | 'ended'; now: number }) => {
    const d = dropKeys(k, a.streamId, a.dropId);
    return [d.meta, couponKeys(k, a.streamId).open, d.ops];
  },
  argv: (a) => [a.reason, a.now, a.dropId],
  refusals: { [-1]: 'drop_not_found' },
  parse: ([changed, quantity, remaining]: [number, number, number]) => ({ changed: changed === 1, quantity, remaining }),
});

export interface RecodeArgs {
  streamId: string;
  /** Who holds the code: a drop's claim (its op field, '' without an opId) or a reward (its field). */
  holder: { kind: 'claim'; dropId: string; field: string } | { kind: 'reward'; field: string };
  old: string;
  fresh: string;
}

/**
 * coupon-recode-2.lua: moves an issued code's record (and the holder's retry answer) to a new code, for a
 * code the global index gives to another stream; answers the holder's code now, '' if `fresh` is taken.
 */
export const couponRecode = defineScript({
  file: 'coupon-recode-2.lua',
  keys: (k, a: RecodeArgs) => {
    const c = couponKeys(k, a.streamId);
    return [c.codes, a.holder.kind === 'reward' ? c.rewards : dropKeys(k, a.streamId, a.holder.dropId).ops];
  },
  argv: (a) => [a.old, a.fresh, a.holder.field],
  parse: (code: string) => code,
});

/** coupon-reward-2.lua: a reward's code, issued once per (source, sourceId, viewer); '' if the proposed code is taken. */
export const couponReward = defineScript({
  file: 'coupon-reward-2.lua',
  keys: (k, a: { field: string; record: CouponRecord }) => {
    const c = couponKeys(k, a.record.streamId);
    return [c.rewards, c.codes];
  },
  argv: (a) => [a.field, a.record.code, JSON.stringify(a.record)],
  parse: (code: string) => code,
});
