import type { Keys } from '../redis/keys.js';

/**
 * The per-stream activity ledger: the only input of scoring and most of the summary.
 * Every key is in the stream's slot, so one script updates all of them atomically.
 */
export const activityKeys = (k: Keys, streamId: string) => {
  /** HASH per viewer: metric -> count (see ACTIVITY_METRICS), plus firstAt / lastAt. */
  const viewer = (viewerId: string) => k.stream(streamId, 'v', viewerId);
  /** The ledger's keys after the viewer's, in activity-ledger.include.lua's order: totals, timeline, dirty, seq. */
  const ledgerRest = [k.stream(streamId, 'totals'), k.stream(streamId, 'timeline'), k.stream(streamId, 'dirty'), k.stream(streamId, 'seq')] as const;
  const [totals, timeline, dirty, seq] = ledgerRest;
  return {
    viewer,
    /** HASH metric -> count for the whole stream (uncapped). */
    totals,
    /** HASH `<metric>:<minute>` -> count: the per-minute timeline (minute = floor(ms / 60000)). */
    timeline,
    /** ZSET viewerId -> change sequence: which viewers changed since a rollup's cursor. */
    dirty,
    /** STRING: the stream's change sequence counter. */
    seq,
    ledgerRest,
    /**
     * The five keys a script passes to activity-ledger.include.lua's recordActivity, in its order:
     * viewer, totals, timeline, dirty, seq.
     */
    ledger: (viewerId: string): string[] => [viewer(viewerId), ...ledgerRest],
    /** LIST of JSON moments (quiz, lottery, drop, pin) for the timeline. */
    moments: k.stream(streamId, 'moments'),
  };
};
