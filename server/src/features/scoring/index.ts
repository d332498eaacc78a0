import type { Feature } from '../types.js';
import { scoringRoutes } from './scoring.routes.js';

/** Stickiness: the brand's leaderboard and viewer profiles; a stream's end queues its last rollup. */
export const scoringFeature: Feature = {
  name: 'scoring',
  routes: scoringRoutes,
  onStreamEnd: async (ctx, stream) => {
    const now = ctx.clock.now();
    await ctx.jobs.at({ type: 'rollup', streamId: stream.id }, now, now);
  },
};
