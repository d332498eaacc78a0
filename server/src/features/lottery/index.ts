import type { Feature } from '../types.js';
import { lotteryHandlers } from './lottery.handlers.js';
import { lotteryRoutes } from './lottery.routes.js';
import { drawOpenLottery, enterByKeyword, lotteryForJoin } from '../../../../core/src/lottery/lottery.service.js';

/** Provably fair lotteries: commit at start, entries by button or chat keyword, one draw. */
export const lotteryFeature: Feature = {
  name: 'lottery',
  handlers: lotteryHandlers,
  routes: lotteryRoutes,
  onJoin: (ctx, stream, user) => lotteryForJoin(ctx, stream, user),
  onChatMessage: enterByKeyword,
  onStreamEnd: drawOpenLottery,
};
