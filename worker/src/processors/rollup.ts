import { streamStore } from '../../../core/src/streams/streams.service.js';
import { rollupStream, type RollupStats } from '../../../core/src/scoring/scoring.rollup.js';
import type { Processor } from './index.js';

/**
 * The periodic rollup (no streamId: every live stream) and the one at a stream's end (its streamId).
 * Idempotent: see rollupStream.
 */
export const rollup: Processor<'rollup'> = async (ctx, data) => {
  const ids = data.streamId ? [data.streamId] : await streamStore(ctx).liveStreamIds();
  const done: RollupStats[] = [];
  for (const id of ids) done.push(await rollupStream(ctx, id));
  const viewers = done.reduce((n, s) => n + s.viewers, 0);
  if (viewers > 0) ctx.log.info({ streams: ids.length, viewers }, 'rollup done');
  return { streams: ids.length, viewers };
};
