import { BUYER_TIERS, REPORT_SEGMENTS, type BrandReport } from '@stickyroom/sdk/protocol';

/** Buyer tiers in the order a viewer climbs them. */
export const BUYER_TIER_ORDER = BUYER_TIERS;

/** Non-zero moves laid out as a from × to table, states in `order` (the report's segment order when empty). */
export function moveMatrix(moves: readonly { from: string; to: string; viewers: number }[], order: readonly string[]) {
  const base = order.length ? order : REPORT_SEGMENTS;
  const seen = new Set(moves.flatMap((m) => [m.from, m.to]));
  const states = [...base.filter((s) => seen.has(s) || order.length > 0), ...[...seen].filter((s) => !base.includes(s as never))];
  const cell = new Map(moves.map((m) => [`${m.from}\u0000${m.to}`, m.viewers]));
  return { states, rows: states.map((from) => ({ from, cells: states.map((to) => cell.get(`${from}\u0000${to}`) ?? 0) })) };
}

type Pair = { touched: number | null; control: number | null };

/** One row of the mechanic table. */
export interface MechanicRow {
  type: string;
  moments: number;
  retention5: number | null;
  retention10: number | null;
  chatBefore: number | null;
  chatAfter: number | null;
  touchedMatched: number;
  controls: number;
  watchAfter: Pair;
  returned: Pair;
  ordersAfter: Pair;
  claimLeave: number | null;
  /** Coupon discount given per new buyer, else points granted per new buyer. */
  costPerNewBuyer: number | null;
}

interface TypeFigures {
  type: string;
  moments: number;
  retention5?: { value: number | null };
  retention10?: { value: number | null };
  perMinute?: { chatBefore: number | null; chatAfter: number | null };
  touchedMatched?: number;
  controls?: number;
  watchMinutesAfter?: Pair;
  returnedNextStream?: Pair;
  ordersAfter?: Pair;
  claimAndLeave?: { rate: number | null } | null;
  cost?: { couponDiscountPerNewBuyer: number | null; pointsPerNewBuyer: number | null };
}

const none: Pair = { touched: null, control: null };

/** The report's per-type mechanic figures as table rows (a type with no moment is left out). */
export function mechanicRows(mechanics: BrandReport['mechanics']): MechanicRow[] {
  return (mechanics.byType as TypeFigures[])
    .filter((m) => m.moments > 0)
    .map((m) => ({
      type: m.type,
      moments: m.moments,
      retention5: m.retention5?.value ?? null,
      retention10: m.retention10?.value ?? null,
      chatBefore: m.perMinute?.chatBefore ?? null,
      chatAfter: m.perMinute?.chatAfter ?? null,
      touchedMatched: m.touchedMatched ?? 0,
      controls: m.controls ?? 0,
      watchAfter: m.watchMinutesAfter ?? none,
      returned: m.returnedNextStream ?? none,
      ordersAfter: m.ordersAfter ?? none,
      claimLeave: m.claimAndLeave?.rate ?? null,
      costPerNewBuyer: m.cost?.couponDiscountPerNewBuyer ?? m.cost?.pointsPerNewBuyer ?? null,
    }));
}
