import { z } from 'zod';

/**
 * IPC between the room benchmark and its sampler process (sampler.ts): the ~500 sockets that decode what
 * they receive (chat send-to-receive latency, per slice), send the room's chat and reactions, heartbeat,
 * and claim in the burst like every other viewer.
 */

export const SamplerInit = z.object({
  type: z.literal('init'),
  url: z.url(),
  jwtSecret: z.string().min(16),
  streamId: z.string().min(1),
  /** Sockets of viewers `<userPrefix><from>..<from + count - 1>`; each init connects more (the room's sample comes in parts). */
  userPrefix: z.string().min(1),
  from: z.number().int().min(0).default(0),
  count: z.number().int().min(1),
  wave: z.number().int().min(1),
  ackTimeoutMs: z.number().int().positive(),
});
export type SamplerInit = z.infer<typeof SamplerInit>;

export const SamplerRun = z.object({
  type: z.literal('run'),
  startAt: z.number(),
  durationMs: z.number().int().positive(),
  sliceMs: z.number().int().positive(),
  /** Chat messages per second, over all sockets. */
  chatPerSec: z.number().min(0),
  /** Reaction taps per second, over all sockets (sent as events of up to 10 taps). */
  reactionsPerSec: z.number().min(0),
  heartbeatMs: z.number().int().positive(),
  /** After the phase, keep counting arrivals this long (messages sent in the last slice). */
  drainMs: z.number().int().min(0),
});
export type SamplerRun = z.infer<typeof SamplerRun>;

/** Every socket claims `dropId` at the wall-clock instant `at` (an empty one: a claim the schema refuses). */
export const SamplerClaim = z.object({ type: z.literal('claim'), at: z.number(), dropId: z.string(), opIdPrefix: z.string().min(1), timeoutMs: z.number().int().positive() });
export type SamplerClaim = z.infer<typeof SamplerClaim>;

export const ToSampler = z.discriminatedUnion('type', [SamplerInit, SamplerRun, SamplerClaim, z.object({ type: z.literal('close') })]);
export type ToSampler = z.infer<typeof ToSampler>;

const Sparse = z.object({ pairs: z.array(z.tuple([z.number(), z.number()])), count: z.number(), sum: z.number(), max: z.number() });
const Acks = z.object({ sent: z.number().int(), ok: z.number().int(), errors: z.record(z.string(), z.number()) });

export const SamplerSlice = z.object({
  /** Send-to-receive latency of the chat messages sent in this slice (by send time), wherever they arrived. */
  latency: Sparse,
  /** The part of it after the server accepted the message (its `at`): the tick's wait, the delivery, the sample's reading. */
  fromAccept: Sparse,
  /** Chat messages sent in this slice, and of those, deliveries to sample sockets. */
  chatSent: z.number().int(),
  chatReceived: z.number().int(),
  /** Push frames received by the sample sockets in this slice (by arrival). */
  pushes: z.number().int(),
});
export type SamplerSlice = z.infer<typeof SamplerSlice>;

export const SamplerReport = z.object({
  type: z.literal('report'),
  slices: z.array(SamplerSlice),
  chat: Acks,
  reactions: Acks.extend({ taps: z.number().int() }),
  heartbeats: Acks,
  /** Push frames the sample's sockets received during the run, by event name (what makes a room's frames). */
  census: z.object({ sockets: z.number().int(), frames: z.record(z.string(), z.number().int()) }),
  elu: z.number(),
  disconnects: z.number().int(),
});
export type SamplerReport = z.infer<typeof SamplerReport>;

export const SamplerClaimed = z.object({
  type: z.literal('claimed'),
  sent: z.number().int(),
  ok: z.number().int(),
  codes: z.array(z.string()),
  errors: z.record(z.string(), z.number()),
  missing: z.number().int(),
  latency: Sparse,
});
export type SamplerClaimed = z.infer<typeof SamplerClaimed>;

export const FromSampler = z.discriminatedUnion('type', [
  z.object({ type: z.literal('connected'), sockets: z.number().int(), failed: z.number().int(), errors: z.record(z.string(), z.number()), ms: z.number() }),
  SamplerReport,
  SamplerClaimed,
  z.object({ type: z.literal('fatal'), message: z.string() }),
]);
export type FromSampler = z.infer<typeof FromSampler>;

/** Chat text carrying its send time, so any receiver can read the latency. */
export const TEXT_PREFIX = 'room ';
export const chatText = (sentAt: number, seq: number) => `${TEXT_PREFIX}${sentAt} ${seq}`;
export function sentAtOf(text: unknown): number {
  if (typeof text !== 'string' || !text.startsWith(TEXT_PREFIX)) return NaN;
  return Number(text.slice(TEXT_PREFIX.length, text.indexOf(' ', TEXT_PREFIX.length)));
}
