import { COUNTED_METRICS, SUMMARY_CSV_COLUMNS, type SummaryCsvColumn } from '@stickyroom/sdk/protocol';
import { interactionsOf, metric, type ViewerRow } from './summary.viewers.js';

/** One cell, RFC 4180 quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvHeader = (): string => SUMMARY_CSV_COLUMNS.join(',') + '\r\n';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function csvRow(r: ViewerRow): string {
  const a = r.activity;
  const cells = {
    viewerId: r.viewerId,
    returning: r.returning,
    firstAt: iso(a.firstAt),
    lastAt: iso(a.lastAt),
    watchSec: Math.round(metric(a, 'watchMs') / 100) / 10,
    interactions: interactionsOf(a),
  } as Record<SummaryCsvColumn, string | number | boolean | null>;
  for (const m of COUNTED_METRICS) cells[m] = metric(a, m);
  return SUMMARY_CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',') + '\r\n';
}
