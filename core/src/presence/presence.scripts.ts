import { MAX_CREDIT_GAP_MS, PRESENCE_WINDOW_MS, type RoomStats } from '@stickyroom/sdk/protocol';
import { activityKeys } from '../activity/activity.keys.js';
import { defineScript } from '../redis/scripts.js';
import { streamKeys } from '../streams/streams.keys.js';
import { presenceKeys } from './presence.keys.js';

/** `gone`: the socket disconnected, which ends its visible stretch like a hidden heartbeat. */
export type TouchKind = 'join' | 'visible' | 'hidden' | 'gone';

export interface TouchResult {
  /** False when the stream has ended or does not exist: nothing was recorded. */
  recorded: boolean;
  /** Distinct viewers seen in the last 45 s. */
  concurrent: number;
  creditedMs: number;
}

/** presence-touch-13.lua: a viewer seen (join, heartbeat) or one of their sockets gone, and the watch time it credits. */
export const presenceTouch = defineScript({
  file: 'presence-touch-13.lua',
  keys: (k, a: { streamId: string; viewerId: string; kind: TouchKind; now: number; socketId: string }) => {
    const p = presenceKeys(k, a.streamId);
    const act = activityKeys(k, a.streamId);
    return [
      streamKeys(k, a.streamId).meta,
      p.seen,
      p.unique,
      p.timeline,
      p.stats,
      p.watchFrom,
      p.visibleTabs(a.viewerId),
      ...act.ledger(a.viewerId),
      p.minutes(a.viewerId),
    ];
  },
  argv: (a) => [a.viewerId, a.now, a.kind, PRESENCE_WINDOW_MS, MAX_CREDIT_GAP_MS, a.socketId],
  // -1 no stream and -2 ended are answers here, not refusals: nothing was recorded, nobody is refused
  parse: ([code, concurrent, creditedMs]: [number, number, number]): TouchResult => ({ recorded: code === 0, concurrent, creditedMs }),
});

export interface JoinBatch {
  streamId: string;
  /** The joins of one moment, in order: [viewerId, ms of the join]. */
  joins: readonly (readonly [string, number])[];
}

/** presence-join-n.lua: the joins of one moment, each recorded as presence-touch-13.lua records a `join`. */
export const presenceJoin = defineScript({
  file: 'presence-join-n.lua',
  keys: (k, a: JoinBatch) => {
    const p = presenceKeys(k, a.streamId);
    const out = [streamKeys(k, a.streamId).meta, p.seen, p.unique, p.timeline, p.stats];
    for (const [viewerId] of a.joins) out.push(p.minutes(viewerId));
    return out;
  },
  argv: (a) => {
    const out: (string | number)[] = [PRESENCE_WINDOW_MS];
    for (const [viewerId, now] of a.joins) out.push(viewerId, now);
    return out;
  },
  /** Concurrent viewers after each join, in order. */
  parse: (concurrent: number[]) => concurrent,
});

/** presence-stats-4.lua: the counts to push for a stream this interval, or null (another node pushes, or nothing changed). */
export const presenceStats = defineScript({
  file: 'presence-stats-4.lua',
  keys: (k, a: { streamId: string; now: number; intervalMs: number; pruneBeforeMs: number }) => {
    const p = presenceKeys(k, a.streamId);
    return [streamKeys(k, a.streamId).meta, p.seen, p.stats, p.statsToken];
  },
  argv: (a) => [a.now, PRESENCE_WINDOW_MS, a.intervalMs, a.pruneBeforeMs],
  parse: (r: [number, number, number] | null): Omit<RoomStats, 'streamId'> | null => {
    if (!Array.isArray(r)) return null;
    const [viewers, peak, peakAt] = r;
    return peakAt >= 0 ? { viewers, peak, peakAt } : { viewers, peak };
  },
});
