import type { AppContext } from '../../context.js';

export interface PointsGrant {
  brandId: string;
  viewerId: string;
  streamId: string;
  points: number;
  source: 'quiz' | 'question' | 'lottery' | 'watch' | 'order';
  /** Makes the grant idempotent: the same (source, sourceId, viewer) grants once. */
  sourceId: string;
}

/**
 * Grants loyalty points to a viewer of a brand, idempotent per (source, sourceId, viewer), within the
 * per-stream caps of config. Returns the points actually granted (0 if capped or already granted).
 * CONTRACT STUB: implemented by the points feature.
 */
export async function grantPoints(_ctx: AppContext, _grant: PointsGrant): Promise<number> {
  throw new Error('grantPoints: not implemented yet');
}
