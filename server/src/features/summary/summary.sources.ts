import type { LotteryOutcome } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../context.js';

/**
 * What the summary reads from other features' stores (lottery draws, stickiness scores and segments),
 * in one place so their signatures are adapted here only.
 */

/** Draw results of the stream's lotteries (ids from its moments), with the seed for verification. */
export async function lotteryOutcomes(_ctx: AppContext, _streamId: string, lotteryIds: readonly string[]): Promise<LotteryOutcome[]> {
  return lotteryIds.map((lotteryId) => ({ lotteryId, prize: null, entrants: 0, winners: [], seed: null, commitment: null, entrantsHash: null }));
}

export interface ViewerRating {
  score: number;
  segment: string;
}

/** Current stickiness score and segment of each viewer for the brand (null: not rated yet). */
export async function viewerRatings(_ctx: AppContext, _brandId: string, viewerIds: readonly string[]): Promise<(ViewerRating | null)[]> {
  return viewerIds.map(() => null);
}

/** Segment of each viewer as snapshotted before the stream started (null: no snapshot for the viewer). */
export async function segmentsBefore(_ctx: AppContext, _brandId: string, _streamId: string, viewerIds: readonly string[]): Promise<(string | null)[]> {
  return viewerIds.map(() => null);
}
