import type { Keys } from '../redis/keys.js';

/** Presence keys of one stream; all in the stream's slot so one script updates them together. */
export const presenceKeys = (k: Keys, streamId: string) => ({
  /** ZSET viewerId -> last seen ms (join or heartbeat): concurrency and the per-minute timeline. */
  seen: k.stream(streamId, 'presence', 'seen'),
  /** ZSET viewerId -> first join ms: the exact unique viewers of the stream. */
  unique: k.stream(streamId, 'presence', 'unique'),
  /** HASH viewerId -> where the viewer's next credit starts; absent while none of their sockets is visible. */
  watchFrom: k.stream(streamId, 'presence', 'watchFrom'),
  /** HASH socketId -> last visible heartbeat ms of that socket of one viewer; expires on its own once idle. */
  visibleTabs: (viewerId: string) => k.stream(streamId, 'presence', 'tabs', viewerId),
  /**
   * STRING bitmap per viewer: bit i set when the viewer was seen (join or heartbeat, visible or hidden) in
   * the i-th minute of the live stream (i = minute - the stream's start minute). Read by core/src/mechanics.
   */
  minutes: (viewerId: string) => k.stream(streamId, 'presence', 'minutes', viewerId),
  /** HASH minute -> distinct viewers seen in that minute (minute = floor(ms / 60000)). */
  timeline: k.stream(streamId, 'presence', 'timeline'),
  /** HASH peak, peakAt, and the last pushed viewers/peak (so unchanged counts are not pushed again). */
  stats: k.stream(streamId, 'presence', 'stats'),
  /** STRING with a PX expiry: the node holding it pushes `room:stats` for this interval. */
  statsToken: k.stream(streamId, 'presence', 'statsToken'),
});
