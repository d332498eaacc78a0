import type { ActivityMetric } from '@stickyroom/sdk/protocol';

/**
 * What a viewer did in one stream, as counters in their activity hash. Scoring and the summary read
 * these; features write them only through `recordActivity`. The lists themselves are the protocol's
 * (ACTIVITY_METRICS, INTERACTION_METRICS): the wire carries them too.
 */
import { ACTIVITY_METRICS } from '@stickyroom/sdk/protocol';
export { ACTIVITY_METRICS, INTERACTION_METRICS, type ActivityMetric } from '@stickyroom/sdk/protocol';

export type ViewerActivity = Partial<Record<ActivityMetric, number>> & { firstAt?: number; lastAt?: number };

export function parseViewerActivity(h: Record<string, string>): ViewerActivity {
  const out: ViewerActivity = {};
  for (const [k, v] of Object.entries(h)) {
    const n = Number(v);
    if (Number.isFinite(n)) (out as Record<string, number>)[k] = n;
  }
  return out;
}

/** Every field the ledger writes in a viewer's activity hash, in the order activity-rows-n.lua reads them. */
export const ACTIVITY_ROW_FIELDS: readonly string[] = [...ACTIVITY_METRICS, 'firstAt', 'lastAt'];

/**
 * A row of activity-rows-n.lua (ACTIVITY_ROW_FIELDS' values joined by ',', '' where missing) as
 * `parseViewerActivity` gives the same fields of the hash: a missing field stays absent.
 */
export function parseActivityRow(row: string): ViewerActivity {
  const out: Record<string, number> = {};
  let at = 0;
  for (let i = 0; i < ACTIVITY_ROW_FIELDS.length; i++) {
    let end = row.indexOf(',', at);
    if (end < 0) end = row.length;
    if (end > at) {
      const n = Number(row.slice(at, end));
      if (Number.isFinite(n)) out[ACTIVITY_ROW_FIELDS[i]!] = n;
    }
    at = end + 1;
  }
  return out as ViewerActivity;
}
