import type { ActivityMetric } from '@stickyroom/sdk/protocol';
import { defineScript } from '../redis/scripts.js';
import { activityKeys } from './activity.keys.js';

export interface ActivityRecord {
  streamId: string;
  viewerId: string;
  metric: ActivityMetric;
  /** Units to count (default 1). */
  n?: number;
  at: number;
  /** Most one viewer accumulates of this metric in the stream (0 or absent: no cap). */
  cap?: number;
}

/** activity-record-5.lua: counts a metric for a viewer and the stream; answers what the viewer was credited. */
export const activityRecord = defineScript({
  file: 'activity-record-5.lua',
  keys: (k, a: ActivityRecord) => activityKeys(k, a.streamId).ledger(a.viewerId),
  argv: (a) => [a.viewerId, a.metric, Math.trunc(a.n ?? 1), a.at, a.cap ?? 0],
  parse: (credited: number) => credited,
});

/** activity-read-n.lua: the same fields of many viewers' activity hashes; answers one string per viewer, the values joined by ',' ('0' = missing). */
export const activityRead = defineScript({
  file: 'activity-read-n.lua',
  keys: (k, a: { streamId: string; viewerIds: readonly string[]; fields: readonly string[] }) => {
    const ak = activityKeys(k, a.streamId);
    return a.viewerIds.map((id) => ak.viewer(id));
  },
  argv: (a) => [...a.fields],
  parse: (packed: string[]) => packed,
});

/** activity-rows-n.lua: many viewers' whole activity hashes; one string per viewer, HGETALL's reply joined by ','. */
export const activityRows = defineScript({
  file: 'activity-rows-n.lua',
  keys: (k, a: { streamId: string; viewerIds: readonly string[] }) => {
    const ak = activityKeys(k, a.streamId);
    return a.viewerIds.map((id) => ak.viewer(id));
  },
  argv: () => [],
  parse: (packed: string[]) => packed,
});
