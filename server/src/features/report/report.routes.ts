import type { Router } from 'express';
import { BrandReport, Id, ReportQuery } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute, type RouteResult } from '../../http/route.js';
import { brandReport, brandReportCsv } from '../../../../core/src/report/report.service.js';

const READERS = ['brand', 'admin'] as const;

export function reportRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/report',
      summary:
        "The brand report over the streams that went live in [from, to]: per-stream figures, period figures, cohorts, migrations (JSON), or one table as CSV (format=csv&table=streams|cohorts|migration|leaderboard)",
      tags: ['report'],
      params: { brandId: Id },
      query: ReportQuery,
      roles: READERS,
      response: BrandReport,
      produces: 'text/csv',
    },
    async ({ user, params, query }): Promise<RouteResult> => {
      if (query.format === 'csv') {
        return {
          body: await brandReportCsv(ctx, user, params.brandId, query, query.table),
          contentType: 'text/csv; charset=utf-8',
          headers: { 'content-disposition': `attachment; filename="brand-${params.brandId}-${query.table}.csv"`, 'cache-control': 'no-store' },
        };
      }
      return { body: await brandReport(ctx, user, params.brandId, query), headers: { 'cache-control': 'no-store' } };
    },
  );
}
