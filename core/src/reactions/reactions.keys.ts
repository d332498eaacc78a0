import type { Keys } from '../redis/keys.js';

export const reactionKeys = (k: Keys, streamId: string) => ({
  /** HASH kind -> count: the stream's running totals, as the room sees them. */
  totals: k.stream(streamId, 'reactions', 'totals'),
  /** STRING flag: totals changed since the last `reaction:totals` push. */
  pending: k.stream(streamId, 'reactions', 'pending'),
  /** STRING with a PX expiry: the node holding it pushes `reaction:totals` for this interval. */
  pushToken: k.stream(streamId, 'reactions', 'pushToken'),
});
