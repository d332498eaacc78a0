import type { Router } from 'express';
import { LotteryDrawRecord, LotteryId } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { drawRecord } from '../../../../core/src/lottery/lottery.service.js';

export function lotteryRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'get',
      path: '/lotteries/:id/entrants',
      summary: 'The frozen entrant list of a drawn lottery, with the seed and winners, for verifyDraw',
      tags: ['lotteries'],
      params: { id: LotteryId },
      response: LotteryDrawRecord,
    },
    async ({ params }) => ({ body: await drawRecord(ctx, params.id), headers: { 'cache-control': 'public, max-age=3600, immutable' } }),
  );
}
