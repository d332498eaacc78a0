import { z } from 'zod';
import { Timestamp } from './common.js';

/**
 * `GET /api/brands/:brandId/mechanics`: what each mechanic (quiz, lottery, coupon drop, product pin,
 * answered question) is worth, per moment and pooled per type. Observational comparisons, not
 * experiments; every figure is defined in docs/summary.md, "What each mechanic is worth".
 */
export const MECHANIC_TYPES = ['quiz', 'lottery', 'drop', 'product', 'qa'] as const;
export const MechanicType = z.enum(MECHANIC_TYPES);

/** `from` / `to`: the streams created in [from, to] (ms since the epoch or an ISO date); defaults: all, up to now. */
const Instant = z.union([z.coerce.number().int().nonnegative(), z.string().datetime({ offset: true }).transform((s) => Date.parse(s))]);
export const MechanicsQuery = z.object({ from: Instant.optional(), to: Instant.optional() }).strict();

const num = z.number().nullable();
const Compared = z.object({ touched: num, control: num });
const Pooled = z.object({ value: num, moments: z.number().int() });
const PooledCompared = z.object({ touched: num, control: num, moments: z.number().int() });

export const MomentFigures = z.object({
  streamId: z.string(),
  id: z.string(),
  type: MechanicType,
  at: Timestamp,
  label: z.string(),
  presentAtMoment: z.number().int(),
  stillPresent5: z.number().int().nullable(),
  stillPresent10: z.number().int().nullable(),
  retention5: num,
  retention10: num,
  window: z.object({
    minutesBefore: z.number().int(),
    minutesAfter: z.number().int(),
    chatBefore: z.number().int(),
    chatAfter: z.number().int(),
    claimsBefore: z.number().int(),
    claimsAfter: z.number().int(),
    clicksBefore: z.number().int(),
    clicksAfter: z.number().int(),
    ordersBefore: z.number().int(),
    ordersAfter: z.number().int(),
    chatPerMinuteBefore: num,
    chatPerMinuteAfter: num,
  }),
  touched: z.number().int(),
  comparison: z.object({
    touchedMatched: z.number().int(),
    controls: z.number().int(),
    watchMinutesAfter: Compared,
    returnedNextStream: Compared.nullable(),
    ordersAfter: Compared,
  }),
  claimAndLeave: z.object({ claimers: z.number().int(), left: z.number().int(), rate: num }).nullable(),
  cost: z.object({
    couponDiscount: num,
    pointsGranted: num,
    newBuyers: z.number().int(),
    couponDiscountPerNewBuyer: num,
    pointsPerNewBuyer: num,
  }),
});

export const MechanicTypeFigures = z.object({
  type: MechanicType,
  moments: z.number().int(),
  presentAtMoment: z.number().int(),
  retention5: Pooled,
  retention10: Pooled,
  perMinute: z.object({
    moments: z.number().int(),
    chatBefore: num,
    chatAfter: num,
    claimsBefore: num,
    claimsAfter: num,
    clicksBefore: num,
    clicksAfter: num,
    ordersBefore: num,
    ordersAfter: num,
  }),
  touched: z.number().int(),
  touchedMatched: z.number().int(),
  controls: z.number().int(),
  watchMinutesAfter: PooledCompared,
  returnedNextStream: PooledCompared,
  ordersAfter: PooledCompared,
  claimAndLeave: z.object({ claimers: z.number().int(), left: z.number().int(), rate: num, moments: z.number().int() }).nullable(),
  cost: z.object({
    couponDiscount: Pooled,
    pointsGranted: Pooled,
    newBuyers: z.number().int(),
    couponDiscountPerNewBuyer: num,
    pointsPerNewBuyer: num,
  }),
});

/** The figures themselves: what `brandMechanics()` answers, and the brand report's `mechanics` field. */
export const MechanicsReport = z.object({
  observational: z.literal(true),
  note: z.string(),
  byType: z.array(MechanicTypeFigures),
  moments: z.array(MomentFigures),
});
export type MechanicsReport = z.infer<typeof MechanicsReport>;

/** The answer of `GET /api/brands/:brandId/mechanics`: the figures, and the range and streams behind them. */
export const BrandMechanicsPage = MechanicsReport.extend({
  brandId: z.string(),
  from: Timestamp.nullable(),
  to: Timestamp,
  streams: z.array(z.string()),
});
export type BrandMechanicsPage = z.infer<typeof BrandMechanicsPage>;
