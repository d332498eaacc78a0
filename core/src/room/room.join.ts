import type { JoinData } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import type { JoinArgs, JoinPart } from '../feature.js';
import type { User } from '../identity/tokens.js';
import type { StreamRecord } from '../streams/streams.store.js';

/** Every feature's refusal of a join (a ban), before any of them records it (presence, unique viewers). */
export async function refuseJoin(ctx: AppContext, stream: StreamRecord, user: User): Promise<void> {
  await Promise.all(ctx.features.map((f) => f.beforeJoin?.(ctx, stream, user)));
}

/** The `room:join` ack: every feature's part of the snapshot, merged in the features' order. */
export async function joinSnapshot(ctx: AppContext, stream: StreamRecord, user: User, args: JoinArgs): Promise<JoinData> {
  const parts = await Promise.all(ctx.features.map((f) => f.onJoin?.(ctx, stream, user, args) ?? {}));
  return mergeParts({ stream: { ...stream }, viewers: 0, chat: [], drops: [] }, parts);
}

/** Merges the features' parts; `pinned` is shared (chat pins a message, products a product), so it merges per field. */
function mergeParts(data: JoinData, parts: JoinPart[]): JoinData {
  for (const part of parts) {
    const { pinned, ...rest } = part;
    Object.assign(data, rest);
    if (pinned) data.pinned = { ...data.pinned, ...pinned };
  }
  return data;
}
