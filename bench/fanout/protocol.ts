import { z } from 'zod';

/** IPC between the fan-out orchestrator and its load-generator processes. */

const Range = z.object({ from: z.number().int().min(0), count: z.number().int().min(0) });

export const GeneratorInit = z.object({
  type: z.literal('init'),
  url: z.url(),
  streamId: z.string().min(1),
  /** Viewer sockets of this generator: user ids `v<from>` .. `v<from+count-1>`. */
  viewers: Range,
  /** Sender sockets of this generator: user ids `s<from>` .. */
  senders: Range,
  /**
   * Viewer `v<i>` decodes its chat (socket.io-client; latency, completeness) when `i % sampleEvery` is 0; the
   * others are raw count-only sockets that count frames and the messages in them without decoding.
   */
  sampleEvery: z.number().int().min(1).default(1),
  /** Messages per second this generator's senders send together. */
  rate: z.number().min(0),
  /** Sockets connected at once. */
  wave: z.number().int().min(1),
  /** HS256 secret to sign socket tokens with (the baseline ignores them). */
  jwtSecret: z.string().min(16),
  ackTimeoutMs: z.number().int().positive(),
});
export type GeneratorInit = z.infer<typeof GeneratorInit>;

/** Absolute wall-clock times (ms since the epoch), shared by every process of the run. */
export const GeneratorRun = z.object({
  type: z.literal('run'),
  sendStart: z.number(),
  windowStart: z.number(),
  windowEnd: z.number(),
  drainEnd: z.number(),
});
export type GeneratorRun = z.infer<typeof GeneratorRun>;

export const GeneratorClose = z.object({ type: z.literal('close') });

export const ToGenerator = z.discriminatedUnion('type', [GeneratorInit, GeneratorRun, GeneratorClose]);
export type ToGenerator = z.infer<typeof ToGenerator>;

const Sparse = z.object({
  pairs: z.array(z.tuple([z.number(), z.number()])),
  count: z.number(),
  sum: z.number(),
  max: z.number(),
});

export const GeneratorConnected = z.object({
  type: z.literal('connected'),
  viewers: z.number().int(),
  /** Of them, the decoded sample. */
  decoded: z.number().int(),
  senders: z.number().int(),
  failed: z.number().int(),
  /** First failure reasons, counted. */
  errors: z.record(z.string(), z.number()),
  ms: z.number(),
});
export type GeneratorConnected = z.infer<typeof GeneratorConnected>;

export const GeneratorReport = z.object({
  type: z.literal('report'),
  /** Chat messages that reached a viewer socket of this generator. */
  received: z.object({
    total: z.number(),
    /** Arrived inside the measured window. */
    inWindow: z.number(),
    /** Sent inside the window and arrived before the drain ended (whenever they arrived), at the decoded sample. */
    ofWindowMessages: z.number(),
    /** Socket.IO frames carrying them inside the window (a `chat:batch` frame carries many). */
    framesInWindow: z.number(),
  }),
  /** Send-to-receive latency of the messages that arrived inside the window at the decoded sample. */
  latency: Sparse,
  sent: z.object({ total: z.number(), inWindow: z.number() }),
  acks: z.object({ ok: z.number(), errors: z.record(z.string(), z.number()), latency: Sparse }),
  /** Sockets that dropped during the run (they are not reconnected). */
  disconnects: z.number().int(),
  /** This generator's event-loop utilization inside the window (0..1). */
  elu: z.number(),
});
export type GeneratorReport = z.infer<typeof GeneratorReport>;

export const GeneratorFatal = z.object({ type: z.literal('fatal'), message: z.string() });

export const FromGenerator = z.discriminatedUnion('type', [GeneratorConnected, GeneratorReport, GeneratorFatal]);
export type FromGenerator = z.infer<typeof FromGenerator>;

/** Chat text the senders write: `fanout <sentAtMs> <sender>.<seq>`, so any receiver computes latency. */
export const TEXT_PREFIX = 'fanout ';

export function chatText(sentAt: number, sender: number, seq: number): string {
  return `${TEXT_PREFIX}${sentAt} ${sender}.${seq}`;
}

/** The send time inside a benchmark chat text, or NaN for any other text. */
export function sentAtOf(text: unknown): number {
  if (typeof text !== 'string' || !text.startsWith(TEXT_PREFIX)) return NaN;
  return Number(text.slice(TEXT_PREFIX.length, text.indexOf(' ', TEXT_PREFIX.length)));
}
