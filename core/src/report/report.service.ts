import type { BrandReport, ReportQuery } from '@stickyroom/sdk/protocol';
import type { User } from '../identity/tokens.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { ViewerActivity } from '../activity/activity.metrics.js';
import { brandMechanics } from '../mechanics/mechanics.report.js';
import { pointsEconomy } from '../points/points.economy.js';
import { orderStore } from '../orders/orders.service.js';
import { authorizeBrand } from '../scoring/scoring.service.js';
import { scoringStore } from '../scoring/scoring.store.js';
import { streamStore } from '../streams/streams.service.js';
import { BATCH } from '../summary/summary.store.js';
import { summaryStore } from '../summary/summary.viewers.js';
import { computeReport, splitHistory, type ReportFigures, type ReportStream } from './report.compute.js';
import { reportCsv, type ReportTable } from './report.csv.js';

const DAY_MS = 86_400_000;
/** Without `from`, the report covers this many days before `to`. */
const DEFAULT_SPAN_MS = 90 * DAY_MS;
/** The brand's streams looked at (newest first), as for the summary's "earlier streams". */
const BRAND_STREAMS_LIMIT = 1000;

/**
 * A query date: epoch ms, an ISO 8601 date-time with its zone, or a day (`YYYY-MM-DD`: its first millisecond
 * for `from`, its last for `to`). Refuses what is not a real date (2026-02-30) with invalid_payload.
 */
export function parseReportDate(raw: string, edge: 'from' | 'to', name: string): number {
  if (/^\d+$/.test(raw)) return Number(raw);
  const ms = Date.parse(raw);
  const day = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  if (!Number.isFinite(ms) || (day && new Date(ms).toISOString().slice(0, 10) !== raw) || (!day && !sameFields(raw, ms))) {
    throw new AppError('invalid_payload', `${name}: not a date`);
  }
  return day && edge === 'to' ? ms + DAY_MS - 1 : ms;
}

/** The date-time's day and time fields are what it parses to (JavaScript rolls 25:00 or Feb 30 over). */
function sameFields(raw: string, ms: number): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(raw);
  if (!m) return false;
  const offsetMin = m[7] === 'Z' ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const local = new Date(ms + offsetMin * 60_000);
  return (
    local.getUTCFullYear() === Number(m[1]) &&
    local.getUTCMonth() + 1 === Number(m[2]) &&
    local.getUTCDate() === Number(m[3]) &&
    local.getUTCHours() === Number(m[4]) &&
    local.getUTCMinutes() === Number(m[5]) &&
    local.getUTCSeconds() === Number(m[6] ?? 0)
  );
}

export function reportRange(q: Pick<ReportQuery, 'from' | 'to'>, now: number): { from: number; to: number } {
  const to = q.to === undefined ? now : parseReportDate(q.to, 'to', 'to');
  const from = q.from === undefined ? Math.max(0, to - DEFAULT_SPAN_MS) : parseReportDate(q.from, 'from', 'from');
  if (from > to) throw new AppError('invalid_payload', 'from: after to');
  return { from, to };
}

/** The brand report (docs/summary.md, "Brand report"): brand team and admins only. */
export async function brandReport(ctx: AppContext, user: User, brandId: string, q: Pick<ReportQuery, 'from' | 'to'>): Promise<BrandReport> {
  const { report } = await build(ctx, user, brandId, q);
  return report;
}

/** One table of the report as CSV (RFC 4180, CRLF). */
export async function brandReportCsv(ctx: AppContext, user: User, brandId: string, q: Pick<ReportQuery, 'from' | 'to'>, table: ReportTable): Promise<string> {
  const { figures } = await build(ctx, user, brandId, q);
  return reportCsv(figures, table);
}

async function build(ctx: AppContext, user: User, brandId: string, q: Pick<ReportQuery, 'from' | 'to'>): Promise<{ report: BrandReport; figures: ReportFigures }> {
  authorizeBrand(user, brandId);
  const now = ctx.clock.now();
  const { from, to } = reportRange(q, now);
  const postStreamMs = ctx.config.REPORT_POST_STREAM_DAYS * DAY_MS;

  const store = streamStore(ctx);
  const ids = await store.brandStreams(brandId, BRAND_STREAMS_LIMIT);
  const records = await store.getMany(ids);
  const started: ReportStream[] = [];
  for (const s of records) {
    if (s && s.startedAt !== undefined) started.push({ id: s.id, title: s.title, startedAt: s.startedAt, endedAt: s.endedAt ?? null });
  }
  const inPeriod = started.filter((s) => s.startedAt >= from && s.startedAt <= to);
  // Earlier streams (first seen, churn, flags) and the later ones that may claim a period stream's post-stream orders.
  const horizon = Math.max(to, ...inPeriod.map((s) => (s.endedAt ?? now) + postStreamMs));
  const streams = started.filter((s) => s.startedAt <= horizon);

  // Streams read in full, and the older ones of which only the ids and the period viewers' activity matter.
  const { full, thin } = splitHistory(streams, from, to);
  const summaries = summaryStore(ctx);
  const populations = new Map<string, string[]>();
  for (const s of streams) populations.set(s.id, [...(await summaries.currentPopulation(s.id))].sort());
  const periodViewers = new Set(inPeriod.flatMap((s) => populations.get(s.id)!));
  const viewers = new Map<string, Map<string, ViewerActivity>>();
  const read = async (streamId: string, ids: readonly string[], into: Map<string, ViewerActivity>) => {
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      const acts = await summaries.activities(streamId, batch);
      batch.forEach((id, j) => into.set(id, acts[j]!));
    }
  };
  const buyersToRead = new Set<string>();
  for (const s of full) {
    const byViewer = new Map<string, ViewerActivity>();
    await read(s.id, populations.get(s.id)!, byViewer);
    for (const id of byViewer.keys()) buyersToRead.add(id);
    viewers.set(s.id, byViewer);
  }
  for (const s of thin) {
    const ids = populations.get(s.id)!;
    const byViewer = new Map<string, ViewerActivity>(ids.map((id) => [id, {}]));
    await read(
      s.id,
      ids.filter((id) => periodViewers.has(id)),
      byViewer,
    );
    viewers.set(s.id, byViewer);
  }
  const orders = await orderStore(ctx).brandOrders(brandId, [...buyersToRead].sort());

  const figures = computeReport({ streams, viewers, orders, from, to, now, postStreamMs, params: scoringStore(ctx).params });
  const mechanics = await brandMechanics(
    ctx,
    brandId,
    figures.streams.map((s) => s.streamId),
  );
  // the economy's periods are [from, to) and at most 366 days; the report's `to` is the period's last ms
  const economy = await pointsEconomy(ctx, user, brandId, { from: Math.max(from, to + 1 - 366 * DAY_MS), to: to + 1 });
  const report: BrandReport = {
    brandId,
    from,
    to,
    postStreamDays: ctx.config.REPORT_POST_STREAM_DAYS,
    streams: figures.streams,
    period: figures.period,
    cohorts: figures.cohorts,
    migration: figures.migration,
    mechanics,
    pointsEconomy: economy,
  };
  return { report, figures };
}
