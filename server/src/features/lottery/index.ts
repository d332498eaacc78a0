import type { Feature } from '../types.js';
import { lotteryHandlers } from './lottery.handlers.js';
import { lotteryRoutes } from './lottery.routes.js';

/** Provably fair lotteries: create, enter, draw, and the published entrant list. */
export const lotteryFeature: Feature = {
  name: 'lottery',
  handlers: lotteryHandlers,
  routes: lotteryRoutes,
};
