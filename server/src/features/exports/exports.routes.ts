import type { Router } from 'express';
import {
  BrandExportParams,
  BrandExportQuery,
  BrandViewerParams,
  StreamExportParams,
  StreamExportQuery,
  ViewerDataExport,
  ViewerDataExportAll,
  ViewerDeleted,
  ViewerParams,
} from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { exportContentType, prepareBrandExport, prepareStreamExport } from '../../../../core/src/exports/exports.service.js';
import { deleteViewer, deleteViewerEverywhere, exportViewer, exportViewerEverywhere } from '../../../../core/src/exports/data-rights.service.js';

const EXPORTERS = ['brand', 'streamer', 'admin'] as const;
const PRODUCES = 'application/x-ndjson,text/csv';

const attachment = (name: string, format: string) => ({
  'content-disposition': `attachment; filename="${name}.${format === 'csv' ? 'csv' : 'ndjson'}"`,
  'cache-control': 'no-store',
});

export function exportsRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'get',
      path: '/streams/:id/export/:table',
      summary: "One table of a stream (viewers, chat, orders, claims, moderation, survey) as NDJSON or CSV, streamed",
      tags: ['exports'],
      params: StreamExportParams,
      query: StreamExportQuery,
      roles: EXPORTERS,
      produces: PRODUCES,
    },
    async ({ user, params, query }) => ({
      stream: await prepareStreamExport(ctx, user, params.id, params.table, query.format),
      contentType: exportContentType(query.format),
      headers: attachment(`stream-${params.id}-${params.table}`, query.format),
    }),
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/export/:table',
      summary: "One table of every stream of a brand created in [from, to), concatenated (each row has its streamId), or the brand's redemptions made in [from, to), streamed",
      tags: ['exports'],
      params: BrandExportParams,
      query: BrandExportQuery,
      roles: EXPORTERS,
      produces: PRODUCES,
    },
    async ({ user, params, query }) => ({
      stream: await prepareBrandExport(ctx, user, params.brandId, params.table, query.format, { from: query.from, to: query.to }),
      contentType: exportContentType(query.format),
      headers: attachment(`brand-${params.brandId}-${params.table}`, query.format),
    }),
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/viewers/:viewerId/export',
      summary: 'Everything held about one viewer for this brand (data rights: access)',
      tags: ['data rights'],
      params: BrandViewerParams,
      roles: ['brand', 'admin'],
      response: ViewerDataExport,
    },
    async ({ user, params }) => ({ body: await exportViewer(ctx, user, params.brandId, params.viewerId), headers: { 'cache-control': 'no-store' } }),
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/viewers/:viewerId/export',
      summary: 'Everything held about one viewer, for every brand (admin only; data rights: access)',
      tags: ['data rights'],
      params: ViewerParams,
      roles: ['admin'],
      response: ViewerDataExportAll,
    },
    async ({ user, params }) => ({ body: await exportViewerEverywhere(ctx, user, params.viewerId), headers: { 'cache-control': 'no-store' } }),
  );
  defineRoute(
    router,
    {
      method: 'delete',
      path: '/brands/:brandId/viewers/:viewerId',
      summary: "Forgets a viewer for this brand: personal data removed, the id pseudonymized where it feeds aggregates (idempotent)",
      tags: ['data rights'],
      params: BrandViewerParams,
      roles: ['brand', 'admin'],
      response: ViewerDeleted,
    },
    async ({ user, params }) => ({ body: await deleteViewer(ctx, user, params.brandId, params.viewerId) }),
  );
  defineRoute(
    router,
    {
      method: 'delete',
      path: '/viewers/:viewerId',
      summary: 'Forgets a viewer for every brand (admin only; idempotent)',
      tags: ['data rights'],
      params: ViewerParams,
      roles: ['admin'],
      response: ViewerDeleted,
    },
    async ({ user, params }) => ({ body: await deleteViewerEverywhere(ctx, user, params.viewerId) }),
  );
}
