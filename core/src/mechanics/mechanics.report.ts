import { setImmediate as yieldLoop } from 'node:timers/promises';
import type { MechanicsReport } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../context.js';
import { streamStore } from '../streams/streams.service.js';
import { byType, momentResult, sortedMinutes, type MechanicTypeFigures, type MomentFigures, type MomentResult } from './mechanics.compute.js';
import { readStreamInput } from './mechanics.reader.js';

export type { MechanicType, MechanicTypeFigures, MomentFigures } from './mechanics.compute.js';

/** What each mechanic of a brand's streams is worth; definitions in docs/summary.md, "What each mechanic is worth". */
export interface BrandMechanics {
  observational: true;
  note: string;
  byType: MechanicTypeFigures[];
  moments: MomentFigures[];
}

/** The wire schema (`MechanicsReport`, client-sdk/src/protocol/mechanics.ts) describes exactly this shape. */
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const wireMatches: SameShape<BrandMechanics, MechanicsReport> = true;
void wireMatches;

export const MECHANICS_NOTE =
  'Observational comparisons, not experiments: the viewers who took part chose to, and moments were not assigned at random, ' +
  'so a difference shows what went with a mechanic, not what it caused. Participants are compared with viewers present at the ' +
  'same moment who did not take part, matched on segment and watch time so far.';

/**
 * The mechanics figures of the given streams of a brand (streams of another brand, unknown or never
 * started ones are left out), moments oldest first and each mechanic type pooled over its moments.
 */
export async function brandMechanics(ctx: AppContext, brandId: string, streamIds: readonly string[]): Promise<BrandMechanics> {
  const now = ctx.clock.now();
  const records = await Promise.all([...new Set(streamIds)].map((id) => streamStore(ctx).get(id)));
  const results: MomentResult[] = [];
  for (const stream of records) {
    if (!stream || stream.brandId !== brandId) continue;
    const input = await readStreamInput(ctx, stream, now);
    if (!input) continue;
    const sorted = sortedMinutes(input);
    for (const m of input.moments) {
      // one moment is one pass over the stream's viewers: let other work run between moments
      await yieldLoop();
      results.push(momentResult(input, sorted, m));
    }
  }
  results.sort((a, b) => a.figures.at - b.figures.at);
  return { observational: true, note: MECHANICS_NOTE, byType: byType(results), moments: results.map((r) => r.figures) };
}
