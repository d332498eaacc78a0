import { finalizeSummary } from '../../../core/src/summary/summary.service.js';
import type { Processor } from './index.js';

/**
 * 'stream.finalize': computes the ended stream's summary and stores it once. A retry or a second run
 * finds the stored summary and changes nothing (see finalizeSummary).
 */
export const finalizeStream: Processor<'stream.finalize'> = async (ctx, { streamId }) => {
  // Nodes keep accepting likes for up to a second after an end (cached status) and flush them every
  // REACTION_FLUSH_MS; waiting that out lets the last likes the room saw count in the final figures.
  const outcome = await finalizeSummary(ctx, streamId, { settleMs: ctx.config.REACTION_FLUSH_MS + 1000 });
  if (outcome === 'not_found' || outcome === 'not_ended') ctx.log.warn({ streamId, outcome }, 'stream.finalize skipped');
  return { outcome };
};
