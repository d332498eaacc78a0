import { z } from 'zod';

/**
 * IPC between a burst benchmark (claims, join) and its generator processes (bench/lib/burst-generator.ts).
 * A generator holds `count` raw sockets of viewers `<userPrefix><from>..`; on `fire` every socket sends one
 * event at the same wall-clock instant and the generator reports every ack.
 */

export const BurstInit = z.object({
  type: z.literal('init'),
  url: z.url(),
  jwtSecret: z.string().min(16),
  userPrefix: z.string().min(1),
  from: z.number().int().min(0),
  count: z.number().int().min(0),
  /** Sockets connected at once. */
  wave: z.number().int().min(1),
  /** Join this stream once connected (the claims bench); the join bench leaves it out. */
  joinStreamId: z.string().optional(),
  ackTimeoutMs: z.number().int().positive(),
});
export type BurstInit = z.infer<typeof BurstInit>;

export const BurstFire = z.object({
  type: z.literal('fire'),
  /** Wall-clock ms since the epoch at which every socket sends. */
  at: z.number(),
  event: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
  /** Adds `opId: <this>-<socket index>` to each socket's payload. */
  opIdPrefix: z.string().optional(),
  /**
   * Adds `fresh: true` to the payload of each socket whose server speaks FRESH_CLAIM_PROTOCOL or later: a
   * claim's first send of an opId made just now, as the SDK marks it (an older server refuses the field).
   */
  fresh: z.boolean().default(false),
  /** Decode every ok ack (the claims' codes), a sample of them (`sample`), or none. */
  decode: z.enum(['all', 'sample', 'none']),
  /** Acks decoded per generator with `decode: 'sample'`. */
  sample: z.number().int().min(0).default(50),
  /** Give up waiting for acks after this long. */
  timeoutMs: z.number().int().positive(),
  /**
   * After the last ack, keep counting pushes this long before reporting (`pushesAfter`): pushes a burst
   * causes on an interval's trailing edge arrive after its acks. 0: report at the last ack.
   */
  settleMs: z.number().int().min(0).default(0),
});
export type BurstFire = z.infer<typeof BurstFire>;
/** A fire as a caller gives it (defaults left out). */
export type BurstFireSpec = Omit<z.input<typeof BurstFire>, 'type' | 'at'>;

/**
 * A steady phase (the room bench): from `startAt` for `durationMs`, every socket sends `event` once every
 * `periodMs` (spread evenly over the period), and the pushes counted are read at every `sliceMs` boundary.
 */
export const BurstSteady = z.object({
  type: z.literal('steady'),
  startAt: z.number(),
  durationMs: z.number().int().positive(),
  sliceMs: z.number().int().positive(),
  event: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
  periodMs: z.number().int().positive(),
});
export type BurstSteady = z.infer<typeof BurstSteady>;

export const ToBurst = z.discriminatedUnion('type', [BurstInit, BurstFire, BurstSteady, z.object({ type: z.literal('close') })]);
export type ToBurst = z.infer<typeof ToBurst>;

const Sparse = z.object({ pairs: z.array(z.tuple([z.number(), z.number()])), count: z.number(), sum: z.number(), max: z.number() });

export const BurstConnected = z.object({
  type: z.literal('connected'),
  sockets: z.number().int(),
  failed: z.number().int(),
  errors: z.record(z.string(), z.number()),
  ms: z.number(),
});
export type BurstConnected = z.infer<typeof BurstConnected>;

export const BurstReport = z.object({
  type: z.literal('fired'),
  sent: z.number().int(),
  ok: z.number().int(),
  /** Refusals by error code. */
  errors: z.record(z.string(), z.number()),
  /** Sockets whose ack did not come before the timeout. */
  missing: z.number().int(),
  /** Send to ack, per ack. */
  latency: Sparse,
  /** Wall clock: the first send and the last ack of this generator (ms since the epoch). */
  firstSendAt: z.number(),
  lastAckAt: z.number(),
  /** `code` of every decoded ok ack (claims). */
  codes: z.array(z.string()),
  /** Decoded ok acks, as sent (the join bench checks their parts). */
  samples: z.array(z.unknown()),
  /** Bytes of every ack, and pushes counted (not decoded) between the fire and the last ack. */
  ackBytes: z.number(),
  pushes: z.number(),
  /** Pushes counted in the `settleMs` after the last ack. */
  pushesAfter: z.number(),
  /** The generator's event-loop utilization from the fire to its last ack (0..1). */
  elu: z.number(),
  disconnects: z.number().int(),
});
export type BurstReport = z.infer<typeof BurstReport>;

export const BurstSteadyReport = z.object({
  type: z.literal('steadied'),
  sent: z.number().int(),
  ok: z.number().int(),
  errors: z.record(z.string(), z.number()),
  /** Pushes counted in each slice. */
  pushesBySlice: z.array(z.number()),
  /** The generator's event-loop utilization over the phase (0..1). */
  elu: z.number(),
  disconnects: z.number().int(),
});
export type BurstSteadyReport = z.infer<typeof BurstSteadyReport>;

export const FromBurst = z.discriminatedUnion('type', [BurstConnected, BurstReport, BurstSteadyReport, z.object({ type: z.literal('fatal'), message: z.string() })]);
export type FromBurst = z.infer<typeof FromBurst>;
