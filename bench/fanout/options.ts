import { parseArgs } from 'node:util';
import { z } from 'zod';

export const TARGETS = ['baseline', 'stickyroom'] as const;
export type TargetName = (typeof TARGETS)[number];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Command-line options of `npm run bench fanout -- ...`; defaults are the issue's full size. */
export const FanoutOptions = z
  .object({
    viewers: int(1, 15_000).default(5000).describe('viewer sockets in the room'),
    senders: int(1, 1000).default(50).describe('sender sockets (also in the room, not counted as viewers)'),
    rate: z.coerce.number().min(0.1).max(2000).default(50).describe('chat messages per second, all senders together'),
    warmup: int(0, 120).default(5).describe('seconds of chat before the window opens'),
    window: int(1, 300).default(20).describe('measured seconds'),
    drain: int(1, 60).default(5).describe('seconds after the window for late messages (counted in completeness only)'),
    wave: int(1, 2000).default(200).describe('sockets connected at once'),
    generators: int(1, 8).default(2).describe('viewer load-generator processes (plus one process for the senders)'),
    sample: int(1, 15_000).default(500).describe('viewers that decode their chat (latency, completeness), spread over the room; the rest count frames and messages without decoding'),
    targets: z
      .string()
      .default(TARGETS.join(','))
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(TARGETS)).min(1))
      .describe('servers to measure, in order'),
    'tick-ms': int(0, 200).optional().describe("stickyroom's CHAT_TICK_MS (default: the server's own)"),
    'quiet-wait': int(0, 3600)
      .default(180)
      .describe('before each server, wait up to this many seconds for the machine to be idle (others sharing it)'),
    'cpu-prof': z.boolean().default(false).describe("write a CPU profile of each server's measured window to bench/results/prof/"),
    root: z.string().optional().describe('run stickyroom from another checkout sharing node_modules (a "before" snapshot); default: this tree'),
    nodes: int(1, 4).default(1).describe('server nodes; 2 or more runs the adapter comparison (rooms, adapters, layouts) instead of the one-room run'),
    rooms: int(1, 200).default(20).describe('adapter comparison: live streams (rooms)'),
    'room-viewers': int(1, 500).default(10).describe('adapter comparison: viewers per room (plus one sender)'),
    'room-rate': z.coerce.number().min(0.1).max(100).default(5).describe('adapter comparison: chat messages per second per room'),
    adapters: z
      .string()
      .default('classic,sharded')
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(['classic', 'sharded'])).min(1))
      .describe('adapter comparison: SOCKET_ADAPTER values to measure'),
    layouts: z
      .string()
      .default('confined,spanning')
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(['confined', 'spanning'])).min(1))
      .describe("adapter comparison: confined (each room's viewers on one node) and/or spanning (every room on every node)"),
    rounds: int(1, 10).default(2).describe('adapter comparison: rounds, each adapter once per layout per round, order alternating'),
  })
  .strict();
export type FanoutOptions = z.infer<typeof FanoutOptions>;

export function parseFanoutOptions(argv: readonly string[]): FanoutOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      viewers: { type: 'string' },
      senders: { type: 'string' },
      rate: { type: 'string' },
      warmup: { type: 'string' },
      window: { type: 'string' },
      drain: { type: 'string' },
      wave: { type: 'string' },
      generators: { type: 'string' },
      sample: { type: 'string' },
      targets: { type: 'string' },
      'tick-ms': { type: 'string' },
      'quiet-wait': { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      root: { type: 'string' },
      nodes: { type: 'string' },
      rooms: { type: 'string' },
      'room-viewers': { type: 'string' },
      'room-rate': { type: 'string' },
      adapters: { type: 'string' },
      layouts: { type: 'string' },
      rounds: { type: 'string' },
    },
    strict: true,
  });
  const parsed = FanoutOptions.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

export function fanoutUsage(): string {
  const defaults: Record<string, unknown> = FanoutOptions.parse({});
  return Object.entries(FanoutOptions.shape)
    .map(([name, schema]) => {
      const d = defaults[name];
      const shown = d === undefined || d === false ? '' : ` (default ${Array.isArray(d) ? d.join(',') : String(d)})`;
      return `  --${name.padEnd(11)} ${schema.description ?? ''}${shown}`;
    })
    .join('\n');
}
