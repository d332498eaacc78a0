import type { Router } from 'express';
import { z } from 'zod';
import { Id, PointsEconomy, PointsEconomyQuery, Reward, RewardCreate, RewardId, RewardList, RewardPatch } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { archiveReward, brandRewards, createReward, updateReward } from '../../../../core/src/points/points.rewards.js';
import { pointsEconomy } from '../../../../core/src/points/points.economy.js';

const MANAGERS = ['brand', 'admin'] as const;
const READERS = ['brand', 'streamer', 'moderator', 'admin'] as const;

export function pointsRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'post',
      path: '/brands/:brandId/rewards',
      summary: "Adds a reward to the brand's points catalog (coupon, gift or raffle ticket)",
      tags: ['points'],
      params: { brandId: Id },
      body: RewardCreate,
      roles: MANAGERS,
      response: Reward,
    },
    async ({ user, params, body }) => ({ status: 201, body: await createReward(ctx, user, params.brandId, body) }),
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/rewards',
      summary: "The brand's rewards, active or not, with stock left and units redeemed",
      tags: ['points'],
      params: { brandId: Id },
      roles: READERS,
      response: RewardList,
    },
    async ({ user, params }) => ({ body: { rewards: await brandRewards(ctx, user, params.brandId) } }),
  );
  defineRoute(
    router,
    {
      method: 'patch',
      path: '/brands/:brandId/rewards/:rewardId',
      summary: 'Deactivates or reactivates a reward, or changes its stock left, title or cost',
      tags: ['points'],
      params: { brandId: Id, rewardId: RewardId },
      body: RewardPatch,
      roles: MANAGERS,
      response: Reward,
    },
    async ({ user, params, body }) => ({ body: await updateReward(ctx, user, params.brandId, params.rewardId, body) }),
  );
  defineRoute(
    router,
    {
      method: 'delete',
      path: '/brands/:brandId/rewards/:rewardId',
      summary: 'Archives a reward: out of the catalog and not redeemable; its redemptions stay',
      tags: ['points'],
      params: { brandId: Id, rewardId: RewardId },
      roles: MANAGERS,
      response: z.object({ ok: z.literal(true) }),
    },
    async ({ user, params }) => {
      await archiveReward(ctx, user, params.brandId, params.rewardId);
      return { body: { ok: true } };
    },
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/brands/:brandId/points/economy',
      summary: "The brand's points economy: issued, redeemed and expired per day, outstanding balance, redeemers' return",
      tags: ['points'],
      params: { brandId: Id },
      query: PointsEconomyQuery,
      roles: READERS,
      response: PointsEconomy,
    },
    async ({ user, params, query }) => ({ body: await pointsEconomy(ctx, user, params.brandId, query) }),
  );
}
