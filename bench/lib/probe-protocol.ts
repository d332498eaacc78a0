import { z } from 'zod';

/** Requests the benchmark sends to a measured process over IPC (see probe.ts). */
export const ProbeRequest = z.discriminatedUnion('probe', [
  z.object({ probe: z.literal('memory'), id: z.number().int(), gc: z.boolean() }),
  z.object({ probe: z.literal('elu'), id: z.number().int() }),
  /** Starts a V8 CPU profile, or stops it and writes it (a .cpuprofile for Chrome DevTools) to `file`. */
  z.object({ probe: z.literal('profile'), id: z.number().int(), action: z.enum(['start', 'stop']), file: z.string().optional() }),
]);
export type ProbeRequest = z.infer<typeof ProbeRequest>;

export const ProbeReply = z.discriminatedUnion('probe', [
  z.object({
    probe: z.literal('memory'),
    id: z.number().int(),
    /** Whether a full GC ran before reading (needs --expose-gc). */
    gc: z.boolean(),
    heapUsed: z.number(),
    heapTotal: z.number(),
    rss: z.number(),
    external: z.number(),
  }),
  z.object({ probe: z.literal('elu'), id: z.number().int(), idle: z.number(), active: z.number() }),
  z.object({ probe: z.literal('profile'), id: z.number().int(), ok: z.boolean(), error: z.string().optional() }),
]);
export type ProbeReply = z.infer<typeof ProbeReply>;
export type MemoryReply = Extract<ProbeReply, { probe: 'memory' }>;
export type EluReply = Extract<ProbeReply, { probe: 'elu' }>;

/** Event-loop utilization between two samples (0..1): the share of time the loop was busy. */
export function eluBetween(a: EluReply, b: EluReply): number {
  const active = b.active - a.active;
  const total = active + (b.idle - a.idle);
  return total > 0 ? active / total : 0;
}
