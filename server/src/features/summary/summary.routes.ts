import type { Router } from 'express';
import { StreamSummary, SummaryParams } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { finalizeNow, readSummary, summaryCsv } from '../../../../core/src/summary/summary.service.js';

/** Brand teams and the brand's staff; the stream's brand is checked per request. */
const READERS = ['brand', 'streamer', 'moderator', 'admin'] as const;
const FINALIZERS = ['brand', 'streamer', 'admin'] as const;

export function summaryRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'get',
      path: '/streams/:id/summary',
      summary: "A stream's summary: the stored final one once finalized, a live (partial) one before",
      tags: ['summary'],
      params: SummaryParams,
      roles: READERS,
      response: StreamSummary,
    },
    async ({ user, params }) => ({ body: await readSummary(ctx, user, params.id), headers: { 'cache-control': 'no-store' } }),
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/streams/:id/summary.csv',
      summary: "One CSV row per viewer of the stream (columns: SUMMARY_CSV_COLUMNS)",
      tags: ['summary'],
      params: SummaryParams,
      roles: READERS,
      produces: 'text/csv',
    },
    async ({ user, params }) => ({
      body: await summaryCsv(ctx, user, params.id),
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': `attachment; filename="stream-${params.id}-viewers.csv"`, 'cache-control': 'no-store' },
    }),
  );
  defineRoute(
    router,
    {
      method: 'post',
      path: '/streams/:id/summary/finalize',
      summary: "Finalize an ended stream's summary now if the worker has not (idempotent); answers the stored summary",
      tags: ['summary'],
      params: SummaryParams,
      roles: FINALIZERS,
      response: StreamSummary,
    },
    async ({ user, params }) => ({ body: await finalizeNow(ctx, user, params.id) }),
  );
}
