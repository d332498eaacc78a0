import type { Router } from 'express';
import { Id, LeaderboardPage, LeaderboardQuery, Segment, SegmentExportQuery, ViewerProfile } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { leaderboard, segmentExport, viewerProfile } from '../../../../core/src/scoring/scoring.service.js';

const READERS = ['brand', 'streamer', 'moderator', 'admin'] as const;

export function scoringRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/viewers',
      summary: "The brand's viewers by stickiness score, optionally of one segment, a page at a time",
      tags: ['scoring'],
      params: { brandId: Id },
      query: LeaderboardQuery,
      roles: READERS,
      response: LeaderboardPage,
    },
    async ({ user, params, query }) => ({ body: await leaderboard(ctx, user, params.brandId, query) }),
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/viewers/:viewerId',
      summary: "One viewer's stickiness profile with the brand: score, segment, recent streams, points",
      tags: ['scoring'],
      params: { brandId: Id, viewerId: Id },
      roles: READERS,
      response: ViewerProfile,
    },
    async ({ user, params }) => ({ body: await viewerProfile(ctx, user, params.brandId, params.viewerId) }),
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/segments/:segment/viewers',
      summary: "Every viewer of one segment (for the brand's CRM): ndjson or csv, streamed a page at a time",
      tags: ['scoring'],
      params: { brandId: Id, segment: Segment },
      query: SegmentExportQuery,
      roles: READERS,
      produces: 'application/x-ndjson',
    },
    async ({ user, params, query }) => ({
      body: segmentExport(ctx, user, params.brandId, params.segment, query.format),
      contentType: query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      headers: {
        'content-disposition': `attachment; filename="${params.brandId}-${params.segment}.${query.format === 'csv' ? 'csv' : 'ndjson'}"`,
        'cache-control': 'no-store',
      },
    }),
  );
}
