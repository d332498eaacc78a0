import type { REPORT_TABLES } from '@stickyroom/sdk/protocol';
import { csvCell } from '../summary/summary.csv.js';
import type { ReportFigures } from './report.compute.js';

export type ReportTable = (typeof REPORT_TABLES)[number];

type Cell = string | number | boolean | null;

/** Columns of the streams table: every per-stream figure, and the flags in one cell (`figure:value/median;...`). */
export const STREAM_COLUMNS = [
  'streamId',
  'title',
  'startedAt',
  'endedAt',
  'uniqueViewers',
  'avgWatchSec',
  'engagementRate',
  'revenueCents',
  'revenue',
  'orders',
  'buyers',
  'returningRate',
  'previousStreamId',
  'churnRate',
  'newBuyers',
  'returningBuyers',
  'uvValue',
  'clickThroughRate',
  'clickToOrderRate',
  'postStreamOrders',
  'postStreamRevenueCents',
  'postStreamRevenue',
  'flags',
] as const;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Rows of one table: a header, then one row per stream / cohort cell / migration cell / viewer. */
export function reportRows(f: ReportFigures, table: ReportTable): Cell[][] {
  switch (table) {
    case 'streams':
      return [
        [...STREAM_COLUMNS],
        ...f.streams.map((s) =>
          STREAM_COLUMNS.map((c): Cell => {
            if (c === 'startedAt' || c === 'endedAt') return iso(s[c]);
            if (c === 'flags') return s.flags.map((x) => `${x.figure}:${x.value}/${x.median}`).join(';');
            return s[c];
          }),
        ),
      ];
    case 'cohorts':
      return [
        ['cohortStreamId', 'cohortStartedAt', 'cohortSize', 'streamId', 'present', 'share'],
        ...f.cohorts.flatMap((c) => c.returns.map((r): Cell[] => [c.streamId, iso(c.startedAt), c.size, r.streamId, r.present, r.share])),
      ];
    case 'migration':
      return [
        ['kind', 'fromStreamId', 'toStreamId', 'from', 'to', 'viewers'],
        ...f.migration.segments.flatMap((m) => m.moves.map((x): Cell[] => ['segment', m.fromStreamId, m.toStreamId, x.from, x.to, x.viewers])),
        ...f.migration.buyerTiers.flatMap((m) => m.moves.map((x): Cell[] => ['buyerTier', m.fromStreamId, m.toStreamId, x.from, x.to, x.viewers])),
      ];
    case 'leaderboard':
      return [
        ['viewerId', 'lifetimeValueCents', 'lifetimeValue', 'streams', 'orders', 'revenueCents'],
        ...f.leaderboard.map((r): Cell[] => [r.viewerId, r.lifetimeValueCents, r.lifetimeValue, r.streams, r.orders, r.revenueCents]),
      ];
  }
}

/** The table as CSV: RFC 4180 quoting, CRLF line ends, formula-looking cells defused (the summary CSV's cell rule). */
export function reportCsv(f: ReportFigures, table: ReportTable): string {
  return reportRows(f, table)
    .map((row) => row.map(csvCell).join(',') + '\r\n')
    .join('');
}
