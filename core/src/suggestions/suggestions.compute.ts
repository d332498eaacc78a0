import type { PinnedProduct, ProductSuggestion, SegmentReading } from '@stickyroom/sdk/protocol';

/** What the brand's earlier streams say about one product: who clicked it and who bought it, over all of them. */
export interface ProductEvidence {
  productId: string;
  title: string;
  product: PinnedProduct;
  clickedBy: Set<string>;
  boughtBy: Set<string>;
}

/** A bought product weighs this many clicks: a purchase says more about what this audience wants. */
export const PURCHASE_WEIGHT = 3;
/** A segment whose share differs from its usual one by at least this many percentage points is flagged. */
export const SKEW_POINTS = 10;

function overlap(audience: ReadonlySet<string>, viewers: ReadonlySet<string>): number {
  const [small, large] = viewers.size < audience.size ? [viewers, audience] : [audience, viewers];
  let n = 0;
  for (const v of small) if (large.has(v)) n++;
  return n;
}

/**
 * Products ranked for tonight's audience by `3 × boughtBy + clickedBy`, where each count is of tonight's
 * viewers who did it in the earlier streams; ties by buyers, then product id. The product pinned now and
 * products no viewer of tonight touched are left out.
 */
export function rankProducts(
  audience: ReadonlySet<string>,
  evidence: Iterable<ProductEvidence>,
  opts: { pinnedNow: string | null; pinnedTonight: ReadonlySet<string>; streams: number; limit: number },
): ProductSuggestion[] {
  const ranked: ProductSuggestion[] = [];
  for (const e of evidence) {
    if (e.productId === opts.pinnedNow) continue;
    const clickedBy = overlap(audience, e.clickedBy);
    const boughtBy = overlap(audience, e.boughtBy);
    if (clickedBy === 0 && boughtBy === 0) continue;
    ranked.push({
      productId: e.productId,
      title: e.title,
      product: e.product,
      clickedBy,
      boughtBy,
      score: PURCHASE_WEIGHT * boughtBy + clickedBy,
      pinnedTonight: opts.pinnedTonight.has(e.productId),
      reason: productReason(clickedBy, boughtBy, audience.size, opts.streams),
    });
  }
  ranked.sort((a, b) => b.score - a.score || b.boughtBy - a.boughtBy || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  return ranked.slice(0, opts.limit);
}

function productReason(clicked: number, bought: number, audience: number, streams: number): string {
  const did = [bought ? `bought by ${bought}` : '', clicked ? `clicked by ${clicked}` : ''].filter(Boolean).join(' and ');
  const where = streams === 1 ? "the brand's previous stream" : `the brand's last ${streams} streams`;
  return `${did[0]!.toUpperCase()}${did.slice(1)} of tonight's ${audience} viewers in ${where}.`;
}

function shares(mix: Readonly<Record<string, number>>): Map<string, number> {
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  return new Map(Object.entries(mix).map(([k, v]) => [k, total > 0 ? v / total : 0]));
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * Tonight's segment mix (viewers by the segment they came in with) against the mean share of each segment
 * over the earlier streams' mixes (each stream weighs the same, whatever its size). A segment is over- or
 * under-represented when its share differs by SKEW_POINTS percentage points or more.
 */
export function segmentSkew(tonight: Readonly<Record<string, number>>, usual: readonly Readonly<Record<string, number>>[]): SegmentReading[] {
  const now = shares(tonight);
  const before = usual.map(shares);
  const names = new Set([...Object.keys(tonight), ...usual.flatMap((m) => Object.keys(m))]);
  const out: SegmentReading[] = [];
  for (const segment of [...names].sort()) {
    const tonightShare = now.get(segment) ?? 0;
    const count = tonight[segment] ?? 0;
    if (before.length === 0) {
      out.push({ segment, tonight: count, tonightShare, usualShare: null, deltaPoints: null, reading: 'no_history', reason: `${pct(tonightShare)} of tonight's viewers; no earlier stream to compare with.` });
      continue;
    }
    const usualShare = before.reduce((a, m) => a + (m.get(segment) ?? 0), 0) / before.length;
    const deltaPoints = Math.round((tonightShare - usualShare) * 1000) / 10;
    const reading = deltaPoints >= SKEW_POINTS ? 'over' : deltaPoints <= -SKEW_POINTS ? 'under' : 'usual';
    const sign = deltaPoints > 0 ? '+' : '';
    const verdict = reading === 'over' ? 'over-represented' : reading === 'under' ? 'under-represented' : 'as usual';
    out.push({
      segment,
      tonight: count,
      tonightShare,
      usualShare,
      deltaPoints,
      reading,
      reason: `${segment}: ${pct(tonightShare)} of tonight's viewers against ${pct(usualShare)} usually (${sign}${deltaPoints} points), ${verdict}.`,
    });
  }
  return out;
}
