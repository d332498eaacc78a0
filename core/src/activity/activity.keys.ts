import type { Keys } from '../redis/keys.js';

/**
 * The per-stream activity ledger: the only input of scoring and most of the summary.
 * Every key is in the stream's slot, so one script updates all of them atomically.
 */
export const activityKeys = (k: Keys, streamId: string) => ({
  /** HASH per viewer: metric -> count (see ACTIVITY_METRICS), plus firstAt / lastAt. */
  viewer: (viewerId: string) => k.stream(streamId, 'v', viewerId),
  /** HASH metric -> count for the whole stream (uncapped). */
  totals: k.stream(streamId, 'totals'),
  /** HASH `<metric>:<minute>` -> count: the per-minute timeline (minute = floor(ms / 60000)). */
  timeline: k.stream(streamId, 'timeline'),
  /** ZSET viewerId -> change sequence: which viewers changed since a rollup's cursor. */
  dirty: k.stream(streamId, 'dirty'),
  /** STRING: the stream's change sequence counter. */
  seq: k.stream(streamId, 'seq'),
  /**
   * The five keys a script passes to activity-ledger.include.lua's recordActivity, in its order:
   * viewer, totals, timeline, dirty, seq.
   */
  ledger: (viewerId: string): string[] => [
    k.stream(streamId, 'v', viewerId),
    k.stream(streamId, 'totals'),
    k.stream(streamId, 'timeline'),
    k.stream(streamId, 'dirty'),
    k.stream(streamId, 'seq'),
  ],
  /** LIST of JSON moments (quiz, lottery, drop, pin) for the timeline. */
  moments: k.stream(streamId, 'moments'),
});
