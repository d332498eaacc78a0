import type { Router } from 'express';
import { Id, LeaderboardPage, LeaderboardQuery, ViewerProfile } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { leaderboard, viewerProfile } from '../../../../core/src/scoring/scoring.service.js';

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
}
