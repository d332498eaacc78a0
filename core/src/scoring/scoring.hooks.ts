import type { DomainFeature } from '../feature.js';

/** Stickiness: a stream's end queues its last rollup. */
export const scoringHooks: DomainFeature = {
  name: 'scoring',
  onStreamEnd: async (ctx, stream) => {
    const now = ctx.clock.now();
    await ctx.jobs.at({ type: 'rollup', streamId: stream.id }, now, now);
  },
};
