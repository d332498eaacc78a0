import type { Router } from 'express';
import { Id, ReferralReport, ReferralReportQuery } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { referralReport } from '../../../../core/src/referrals/referrals.service.js';

const READERS = ['brand', 'streamer', 'moderator', 'admin'] as const;

export function referralRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/referrals',
      summary: "The brand's word of mouth: viewers credited to a share link, and the best referrers",
      tags: ['referrals'],
      params: { brandId: Id },
      query: ReferralReportQuery,
      roles: READERS,
      response: ReferralReport,
    },
    async ({ user, params, query }) => ({ body: await referralReport(ctx, user, params.brandId, query.limit) }),
  );
}
