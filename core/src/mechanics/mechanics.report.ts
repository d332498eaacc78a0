import type { AppContext } from '../context.js';

/** The brand report's `mechanics` part (which engagement mechanics went with what); a placeholder until it is built. */
export interface BrandMechanics {
  observational: true;
  note: string;
  byType: unknown[];
  moments: unknown[];
}

export async function brandMechanics(_ctx: AppContext, _brandId: string, _streamIds: readonly string[]): Promise<BrandMechanics> {
  return { observational: true, note: 'Mechanics analysis is not computed yet.', byType: [], moments: [] };
}
