import { finalizeSummary } from '../../../server/src/features/summary/summary.service.js';
import type { Processor } from './index.js';

/**
 * 'stream.finalize': computes the ended stream's summary and stores it once. A retry or a second run
 * finds the stored summary and changes nothing (see finalizeSummary).
 */
export const finalizeStream: Processor<'stream.finalize'> = async (ctx, { streamId }) => {
  const outcome = await finalizeSummary(ctx, streamId);
  if (outcome === 'not_found' || outcome === 'not_ended') ctx.log.warn({ streamId, outcome }, 'stream.finalize skipped');
  return { outcome };
};
