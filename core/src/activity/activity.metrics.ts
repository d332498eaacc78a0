import type { ActivityMetric } from '@stickyroom/sdk/protocol';

/**
 * What a viewer did in one stream, as counters in their activity hash. Scoring and the summary read
 * these; features write them only through `recordActivity`. The lists themselves are the protocol's
 * (ACTIVITY_METRICS, INTERACTION_METRICS): the wire carries them too.
 */
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

/**
 * A row of activity-rows-n.lua (a viewer's hash as HGETALL answers it, joined by ',') as `parseViewerActivity`
 * reads the hash itself. The ledger's fields and values never hold a ','.
 */
export function parseActivityRow(row: string): ViewerActivity {
  const out: Record<string, number> = {};
  if (row === '') return out;
  const parts = row.split(',');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const n = Number(parts[i + 1]);
    if (Number.isFinite(n)) out[parts[i]!] = n;
  }
  return out as ViewerActivity;
}
