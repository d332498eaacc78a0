import type { Router } from 'express';
import { BrandMechanicsPage, Id, MechanicsQuery } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { mechanicsForRange } from '../../../../core/src/mechanics/mechanics.service.js';
import { defineRoute } from '../../http/route.js';

export function mechanicsRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/mechanics',
      summary:
        "What each mechanic (quiz, lottery, coupon drop, product pin, answered question) was worth in the brand's streams created in [from, to]: observational comparisons, not experiments",
      tags: ['mechanics'],
      params: { brandId: Id },
      query: MechanicsQuery,
      roles: ['brand', 'admin'],
      response: BrandMechanicsPage,
    },
    async ({ user, params, query }) => {
      const body: BrandMechanicsPage = await mechanicsForRange(ctx, user, params.brandId, query);
      return { body };
    },
  );
}
