import { streamStore } from '../../../core/src/streams/streams.service.js';
import { rollupStream, type RollupStats } from '../../../core/src/scoring/scoring.rollup.js';
import type { Processor } from './index.js';

/**
 * Live streams the periodic rollup works on at once. Each rollup already keeps several batches in flight;
 * running a few streams side by side keeps Redis busy while small streams wait on their round trips.
 */
export const ROLLUP_STREAMS_IN_FLIGHT = 3;

/**
 * The periodic rollup (no streamId: every live stream) and the one at a stream's end (its streamId).
 * Idempotent: see rollupStream. A stream whose rollup fails does not stop the others; the job then fails
 * (and is retried, which redoes only what is left).
 */
export const rollup: Processor<'rollup'> = async (ctx, data) => {
  const ids = data.streamId ? [data.streamId] : await streamStore(ctx).liveStreamIds();
  const done: RollupStats[] = [];
  const failed: { streamId: string; err: unknown }[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < ids.length) {
      const streamId = ids[next++]!;
      try {
        done.push(await rollupStream(ctx, streamId));
      } catch (err) {
        failed.push({ streamId, err });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ROLLUP_STREAMS_IN_FLIGHT, ids.length) }, lane));
  const viewers = done.reduce((n, s) => n + s.viewers, 0);
  if (viewers > 0) ctx.log.info({ streams: ids.length, viewers }, 'rollup done');
  if (failed.length === 1) throw failed[0]!.err;
  if (failed.length > 1) throw new AggregateError(failed.map((f) => f.err), `rollup of ${failed.map((f) => f.streamId).join(', ')} failed`);
  return { streams: ids.length, viewers };
};
