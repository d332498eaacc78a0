import type { JoinData } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import type { DomainFeature, JoinArgs, JoinPart } from '../feature.js';
import type { User } from '../identity/tokens.js';
import type { StreamRecord } from '../streams/streams.store.js';
import { joinRead } from './join-reads.js';
import { isShared, markShared } from './shared-values.js';

/**
 * Every feature's refusal of a join (a ban), before any of them records it (presence, unique viewers), asked
 * while the stream's record is still being read (`stream`). With one refusing feature (chat's ban), its own
 * promise: no frame of ours kept per join while it waits.
 */
export function refuseJoin(ctx: AppContext, streamId: string, stream: Promise<StreamRecord>, user: User): Promise<unknown> | undefined {
  let refusals: Promise<void>[] | undefined;
  for (const f of ctx.features) if (f.beforeJoin) (refusals ??= []).push(f.beforeJoin(ctx, streamId, stream, user));
  if (!refusals) return undefined;
  return refusals.length === 1 ? refusals[0] : Promise.all(refusals);
}

/**
 * Every feature's shared read for the join ack (JoinHook.shared), in the features' order: one read of all of
 * them for the joins of one moment. Each feature's result and its direct parts are marked shared.
 */
async function readShared(ctx: AppContext, features: readonly DomainFeature[], stream: StreamRecord): Promise<unknown[]> {
  const values = await Promise.all(features.map((f) => f.join?.shared?.(ctx, stream)));
  for (const v of values) markShared(v);
  return values;
}

/**
 * The `room:join` ack: every feature's part of the snapshot, merged in the features' order. The parts every
 * join of the moment shares are read once for all of them; only a feature that needs something of the
 * viewer's own (presence, the lottery's `entered`, the last join) makes this join wait on more.
 */
export async function joinSnapshot(ctx: AppContext, stream: StreamRecord, user: User, args: JoinArgs): Promise<JoinData> {
  const features = ctx.features;
  const shared = await joinRead(ctx, stream.id, 'snapshot', () => readShared(ctx, features, stream));
  const parts: JoinPart[] = [];
  // only the parts that wait (presence, the lottery's `entered`, the last join) go through a promise
  let waiting: Promise<JoinPart>[] | undefined;
  let at: number[] | undefined;
  for (let i = 0; i < features.length; i++) {
    const hook = features[i]!.join;
    if (!hook) continue;
    const part = hook.part(ctx, stream, user, args, shared[i]);
    if (part instanceof Promise) {
      (waiting ??= []).push(part);
      (at ??= []).push(parts.length);
      parts.push(NO_PART);
    } else parts.push(part);
  }
  if (waiting) {
    const done = await Promise.all(waiting);
    for (let k = 0; k < done.length; k++) parts[at![k]!] = done[k]!;
  }
  // the stream record is the joins' shared read (server/src/features/room): never changed, encoded once
  const data: JoinData = { stream, viewers: 0, chat: [], drops: [] };
  return mergeParts(data, parts);
}

const NO_PART: JoinPart = {};

/**
 * Merges the features' parts, in order, without changing any of them (a part may be a shared value of the
 * moment). `pinned` is shared (chat pins a message, products a product), so it merges per field.
 */
function mergeParts(data: JoinData, parts: readonly JoinPart[]): JoinData {
  const into = data as unknown as Record<string, unknown>;
  for (const part of parts) {
    for (const key in part) {
      const value = (part as Record<string, unknown>)[key];
      if (key !== 'pinned') into[key] = value;
      else if (value) data.pinned = data.pinned ? mergePins(data.pinned, value as Pinned) : (value as Pinned);
    }
  }
  return data;
}

type Pinned = NonNullable<JoinData['pinned']>;
/** Two shared pins (the message's, the product's) merged once per moment: the merge is shared too. */
const mergedPins = new WeakMap<Pinned, WeakMap<Pinned, Pinned>>();

function mergePins(a: Pinned, b: Pinned): Pinned {
  if (!isShared(a) || !isShared(b)) return { ...a, ...b };
  let byB = mergedPins.get(a);
  if (!byB) mergedPins.set(a, (byB = new WeakMap()));
  let merged = byB.get(b);
  if (!merged) byB.set(b, (merged = markShared({ ...a, ...b })));
  return merged;
}
