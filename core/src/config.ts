import { z } from 'zod';
import { DURATION, parseDuration } from './duration.js';

const DEV_JWT_SECRET = 'stickyroom-dev-secret-do-not-use-in-production';
const DEV_WEBHOOK_SECRET = 'stickyroom-dev-webhook-secret';

/** Every setting that is a secret: NODE_ENV=production holds each one set to PRODUCTION_SECRET_BYTES or more, and no placeholder. */
export const SECRETS = ['JWT_SECRET', 'JWT_SECRET_PREVIOUS', 'WEBHOOK_SECRET', 'METRICS_TOKEN'] as const;
export const PRODUCTION_SECRET_BYTES = 32;
/**
 * Values nobody should run with: the development defaults and the placeholders of .env.example (a test
 * holds .env.example to this list), and anything that still says change-me.
 */
const PLACEHOLDER_SECRETS = new Set([
  DEV_JWT_SECRET,
  DEV_WEBHOOK_SECRET,
  'change-me-to-a-long-random-string-of-32-bytes-or-more',
  'change-me-to-another-long-random-string-of-32-bytes',
  'change-me-to-a-third-long-random-string-of-32-bytes',
]);
export function isPlaceholderSecret(value: string): boolean {
  return PLACEHOLDER_SECRETS.has(value) || /change-?me/i.test(value);
}

const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Every setting the server and worker read, from environment variables. README's table mirrors this. */
export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('Runtime mode.'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP and Socket.IO port.'),
  HOST: z.string().default('0.0.0.0').describe('Interface to listen on.'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379').describe('Redis connection URL.'),
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port'))
        .min(1, 'at least one host:port')
        .transform((nodes) => nodes.map((n) => ({ host: n.slice(0, n.lastIndexOf(':')), port: Number(n.slice(n.lastIndexOf(':') + 1)) }))),
    )
    .optional()
    .describe('Redis Cluster seed nodes, `host:port,host:port,...`; when set, REDIS_URL is ignored and every client is a cluster client (docs/operations.md, "Redis Cluster").'),
  REDIS_REPLICA_ACK_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(10_000)
    .default(500)
    .describe('Cluster mode only: how long a coupon claim waits (`WAIT 1`) for a replica to hold it before it is acknowledged; with no replica by then the viewer hears `unavailable` and retries.'),
  REDIS_STARTUP_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(15_000)
    .describe('How long a starting server node or worker waits for Redis to answer before it exits with one line saying so.'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,32}$/, 'letters, digits and _ : . - only (no braces: they are hash tags)')
    .default('sr:')
    .describe('Prefix of every Redis key this deployment writes (also the BullMQ prefix).'),
  JWT_SECRET: z
    .string()
    .min(16, 'at least 16 characters')
    .default(DEV_JWT_SECRET)
    .describe('HS256 secret tokens are signed and verified with (32 bytes or more when NODE_ENV=production).'),
  JWT_SECRET_PREVIOUS: z
    .string()
    .min(16, 'at least 16 characters')
    .optional()
    .describe('During a rotation, the secret JWT_SECRET replaced: tokens signed with it are still accepted, new ones are signed with JWT_SECRET (docs/operations.md).'),
  JWT_MAX_TTL: z
    .string()
    .regex(DURATION, 'a duration like 24h, 90m or 86400 (seconds)')
    .default('24h')
    .transform(parseDuration)
    .pipe(z.number().min(60, 'at least 60 s').max(30 * 86_400, 'at most 30 days'))
    .describe('Longest token lifetime accepted (`exp` - `iat`, or `exp` - now without `iat`): 24h, 90m or seconds. Tokens without `exp` are refused.'),
  WEBHOOK_SECRET: z
    .string()
    .min(16, 'at least 16 characters')
    .default(DEV_WEBHOOK_SECRET)
    .describe('HMAC-SHA256 secret of the order webhook (32 bytes or more when NODE_ENV=production).'),
  WEBHOOK_DELIVERY_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(25)
    .default(8)
    .describe('Outbound webhooks: attempts per delivery (the first and its retries) before it is logged as failed (docs/webhooks.md).'),
  WEBHOOK_BACKOFF_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(10_000)
    .describe('Outbound webhooks: wait before the first retry; each next retry waits twice as long (10 s, 20 s, 40 s, ...).'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000).describe('Outbound webhooks: how long one attempt waits for the receiver to answer.'),
  WEBHOOK_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .default(16)
    .describe("Outbound webhook deliveries a worker sends at once, from a queue of their own (WORKER_CONCURRENCY is the other jobs')."),
  WEBHOOK_MAX_ENDPOINTS: z.coerce.number().int().min(1).max(100).default(10).describe('Outbound webhook endpoints one brand may register.'),
  WEBHOOK_LOG_SIZE: z.coerce.number().int().min(10).max(10_000).default(500).describe("Deliveries kept in each endpoint's delivery log (the newest)."),
  WEBHOOK_LOG_DAYS: z.coerce.number().int().min(1).max(90).default(7).describe('Days a delivery stays in the log (and can be redelivered) after its last change.'),
  WEBHOOK_SUBSCRIPTIONS_CACHE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(5000)
    .describe("How long a node keeps a brand's webhook subscriptions in memory before reading them again (0: read on every event); a change on another node is seen after at most this long."),
  WEBHOOK_ALLOW_PRIVATE_URLS: bool
    .default(false)
    .describe('When NODE_ENV=production, let webhook endpoints be loopback, private or link-local addresses (refused by default: SSRF, docs/webhooks.md). Always allowed outside production.'),
  METRICS_TOKEN: z
    .string()
    .min(16, 'at least 16 characters')
    .optional()
    .describe('Bearer token that GET /metrics requires (`Authorization: Bearer <token>`); unset leaves /metrics open. Required when NODE_ENV=production.'),
  CORS_ORIGINS: list
    .default(['http://localhost:3000', 'http://127.0.0.1:3000'])
    .describe('Comma-separated browser origins allowed to connect (HTTP CORS and WebSocket upgrades).'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino level.'),
  MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).max(1_000_000).default(16_384).describe('Largest socket message accepted.'),
  CHAT_RATE_LIMIT: z.coerce.number().int().min(1).max(1000).default(5).describe('Chat messages per viewer per window.'),
  CHAT_RATE_WINDOW_SEC: z.coerce.number().int().min(1).max(3600).default(10).describe('Chat rate-limit window.'),
  CHAT_HISTORY: z.coerce.number().int().min(50).max(5000).default(200).describe('Chat messages kept hot per stream.'),
  CHAT_JOIN_HISTORY: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(20)
    .describe('Newest chat messages a fresh room:join ack carries; a viewer pages back through the hot history with chat:history.'),
  CHAT_LOG: bool
    .default(true)
    .describe("Keep every accepted chat message of a stream for its chat export, until RETENTION_DAYS drops it (about 300 bytes a message); false: the export has only the hot history (CHAT_HISTORY)."),
  CHAT_TICK_MS: z.coerce.number().int().min(0).max(200).default(50).describe('Chat fan-out tick; 0 sends each message alone.'),
  CHAT_SOCKETS_PER_STEP: z.coerce
    .number()
    .int()
    .min(1)
    .default(2000)
    .describe("A room's sockets on a node per CHAT_TICK_MS its chat tick grows by (at most 500 ms), and so the size of each phase a big room's tick is written in (docs/protocol.md, chat fan-out)."),
  EVENT_RATE_LIMIT: z.coerce
    .number()
    .int()
    .min(1)
    .default(40)
    .describe("Socket events per second per user before rate_limited: shared by the user's sockets on a node, and across nodes per stream for events that run a Redis script."),
  MAX_CONNECTIONS_PER_USER: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(10)
    .describe("Sockets one user may hold open on a node; a new one over the cap closes the user's oldest (session:ended too_many_connections)."),
  JOIN_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(2000)
    .describe('Joins (room:join) a node runs at once; later ones wait their turn. A stream going live brings thousands at once, and each join in flight holds its reads: past this many, garbage collection grew to most of a join (docs/benchmarks-history.md).'),
  STATS_INTERVAL_MS: z.coerce.number().int().min(200).default(2000).describe('How often live counts go to each room.'),
  REACTION_FLUSH_MS: z.coerce.number().int().min(100).default(500).describe('Reaction coalescing interval.'),
  REACTION_RATE_LIMIT: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Reactions (taps) per viewer per stream per second that reach the totals, per node; more are refused as rate_limited.'),
  REACTION_SCORE_CAP: z.coerce.number().int().min(1).default(300).describe('Likes per viewer per stream that count for scoring.'),
  ROLLUP_EVERY_SEC: z.coerce.number().int().min(1).default(60).describe('Worker rollup interval while streams are live.'),
  SCORE_HALF_LIFE_DAYS: z.coerce.number().positive().default(30).describe('Stickiness decay half-life.'),
  SCORE_HALF_POINTS: z.coerce.number().positive().default(150).describe('Engagement points at which the stickiness score is 50 (docs/scoring.md).'),
  SCORE_WEIGHTS: z
    .string()
    .default('watch=20,chat=8,likes=2,questions=8,upvotes=3,quizAnswers=6,quizCorrect=6,lotteryEntries=4,couponClaims=8,clicks=6,orders=40,revenue=20,referrals=12,attendance=15,buyerStreams=20')
    .describe('Stickiness weights, input=points per unit (docs/scoring.md); inputs left out keep these defaults.'),
  SEGMENT_AT_RISK_DAYS: z.coerce.number().positive().default(21).describe('Days away after which a new, engaged or loyal viewer is at-risk.'),
  SEGMENT_DORMANT_DAYS: z.coerce.number().positive().default(60).describe('Days away after which any viewer is dormant.'),
  SUMMARY_LIVE_MAX_AGE_MS: z.coerce.number().int().min(0).default(5000).describe('Oldest live summary served (ms); one node at a time refreshes it. 0: computed on every request.'),
  SUMMARY_LIVE_REFRESH_MS: z.coerce.number().int().min(0).default(2000).describe('A live summary older than this (ms) is refreshed in the background when read.'),
  REPORT_POST_STREAM_DAYS: z.coerce.number().positive().max(90).default(7).describe("Brand report: days after a stream's end its viewers' orders count as its post-stream orders."),
  RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("Days after a stream ends before its raw per-viewer events are dropped; its summary, the scores and the brand's history stay (docs/operations.md, Retention). 0: kept forever."),
  ROLLUP_BATCH: z.coerce.number().int().min(10).max(5000).default(500).describe('Viewers per rollup batch (one Redis script call each).'),
  POINTS_EXPIRE_DAYS: z.coerce.number().int().min(1).default(365).describe('Loyalty points expire after this many days.'),
  POINTS_WATCH_PER_MINUTE: z.coerce.number().int().min(0).default(1).describe('Loyalty points per whole minute watched.'),
  POINTS_WATCH_CAP: z.coerce.number().int().min(0).default(60).describe('Most watch points a viewer earns in one stream.'),
  POINTS_STREAM_CAP: z.coerce
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe('Most points a viewer earns in one stream from quizzes, questions, lotteries and watching together (purchases are not capped).'),
  SURVEY_MIN_WATCH_MIN: z.coerce
    .number()
    .int()
    .min(0)
    .default(5)
    .describe('Post-stream survey: viewers who watched at least this many minutes are asked (a stream may set its own with stream:survey).'),
  SURVEY_WINDOW_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .default(48)
    .describe('Post-stream survey: answers are taken for this many hours after the stream ends (a stream may set its own).'),
  POINTS_PER_CURRENCY_UNIT: z.coerce.number().min(0).default(1).describe('Loyalty points per whole unit of an order amount (e.g. per dollar).'),
  POINTS_TIERS: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}:\d+(,[A-Za-z0-9_-]{1,32}:\d+)*$/, 'name:points pairs, e.g. bronze:0,silver:500,gold:2000')
    .refine((s) => s.split(',').every((p, i, all) => {
      const at = Number(p.split(':')[1]);
      return i === 0 ? at === 0 : at > Number(all[i - 1]!.split(':')[1]);
    }), 'tiers ascend by points and the first is at 0')
    .default('bronze:0,silver:500,gold:2000')
    .describe('Loyalty tiers by balance, as name:points pairs in ascending order, the first at 0.'),
  REFERRAL_POINTS_REFERRER: z.coerce.number().int().min(0).default(50).describe('Loyalty points to a viewer for each new viewer credited to their share link (within POINTS_STREAM_CAP).'),
  REFERRAL_POINTS_REFERRED: z.coerce.number().int().min(0).default(25).describe('Loyalty points to a new viewer who joined through a share link and was credited to its owner.'),
  REFERRAL_MAX_PER_STREAM: z.coerce.number().int().min(0).default(10).describe('Most new viewers credited to one referrer in one stream; more are not credited (no points, no score).'),
  REFERRAL_MAX_PER_DAY: z.coerce.number().int().min(0).default(20).describe('Most new viewers credited to one referrer per UTC day, across the brand\'s streams.'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('Public origin of the service (e.g. https://live.example.com), used in share links; unset: the origin the viewer connected from.'),
  REFERRAL_LINK_PATH: z
    .string()
    .regex(/^(https?:\/\/|\/)\S*\{code\}\S*$/, 'a path or URL containing {code} (and optionally {streamId})')
    .default('/demo/streams/{streamId}?ref={code}')
    .describe('Share link of referral:link: a path under PUBLIC_URL (or a full URL, e.g. the shop page) with {streamId} and {code} filled in.'),
  CLICK_SCORE_CAP: z.coerce.number().int().min(1).default(50).describe('Product clicks per viewer per stream that count for scoring.'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4).describe('Jobs a worker runs at once.'),
  SHUTDOWN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('How long a stopping server node waits for its sockets, last flushes and Redis before it closes its connections anyway.'),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(30_000)
    .describe("How long a stopping worker lets the jobs in hand finish; it then abandons them to BullMQ's stalled-job check and exits."),
  DELIVERY_LEASE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(600_000)
    .default(30_000)
    .describe(
      "How long a node or worker delivering an announcement or its rewards (a quiz result and its points, a lottery draw, a Q&A reward, a stream's end) holds it without renewing: if that process dies mid-delivery, the outbox sweep or a job retry takes over once this has passed. A quiz's delivery renews it every 200 viewers; keep it well above the time one such step takes.",
    ),
  MAX_SOCKET_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(16_384)
    .default(1_048_576)
    .describe('Bytes a node holds for one socket that reads too slowly (unsent packets plus its TCP write buffer); over it the socket is dropped (session:ended slow_consumer).'),
  SOCKET_ADAPTER: z
    .enum(['sharded', 'classic'])
    .default('sharded')
    .describe('Socket.IO Redis adapter between server nodes: `sharded` (Redis 7 sharded pub/sub, a channel per room) or `classic` (one channel every node hears); `classic` is kept for the fan-out bench (docs/operations.md).'),
  WORKER_HTTP_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(9465)
    .describe("The worker's HTTP port: GET /metrics (METRICS_TOKEN rule as on the server) and GET /healthz (200 while its Redis connections are ready and its BullMQ worker runs)."),
  WORKER_HTTP_HOST: z.string().default('0.0.0.0').describe("Interface the worker's HTTP port listens on."),
  ADMIN_UI: z
    .enum(['on', 'off'])
    .default('off')
    .describe('Serves the Socket.IO admin UI (read-only) on the /admin namespace, behind ADMIN_UI_USERNAME / ADMIN_UI_PASSWORD.'),
  ADMIN_UI_USERNAME: z.string().min(1).max(64).default('admin').describe('Username of the Socket.IO admin UI.'),
  ADMIN_UI_PASSWORD: z
    .string()
    .min(16, 'at least 16 characters')
    .max(72, 'at most 72 characters (bcrypt reads no more)')
    .optional()
    .describe('Password of the Socket.IO admin UI; required with ADMIN_UI=on, at least 32 characters when NODE_ENV=production.'),
  SIMULATION_CLOCK: bool
    .default(false)
    .describe(
      'Simulation only (`npm run simulate`, docs/simulate.md): the process runs on the clock the simulator moves, and delayed jobs (quiz, poll, lottery and drop closes) wait for that clock rather than real time. Refused when NODE_ENV=production.',
    ),
  TRUST_PROXY: bool
    .default(false)
    .describe('Trust X-Forwarded-* headers (behind a load balancer); a request the proxy marks X-Forwarded-Proto: https then gets HSTS.'),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>> & { readonly devSecrets: boolean };

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses once; the only reader of process.env in the service. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = ConfigSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  if (parsed.data.ADMIN_UI === 'on' && parsed.data.ADMIN_UI_PASSWORD === undefined) {
    throw new ConfigError(['ADMIN_UI_PASSWORD: required when ADMIN_UI=on (the admin UI is never served without authentication)']);
  }
  const devSecrets = parsed.data.JWT_SECRET === DEV_JWT_SECRET || parsed.data.WEBHOOK_SECRET === DEV_WEBHOOK_SECRET;
  if (parsed.data.NODE_ENV === 'production' && parsed.data.SIMULATION_CLOCK) {
    throw new ConfigError(['SIMULATION_CLOCK: refused when NODE_ENV=production (the simulated clock is for npm run simulate only; unset it)']);
  }
  if (parsed.data.NODE_ENV === 'production') {
    const issues: string[] = [];
    for (const name of SECRETS) {
      const value = parsed.data[name];
      if (value === undefined) continue;
      if (isPlaceholderSecret(value)) issues.push(`${name}: a placeholder or development value is refused when NODE_ENV=production (generate one: openssl rand -hex 32)`);
      else if (Buffer.byteLength(value, 'utf8') < PRODUCTION_SECRET_BYTES)
        issues.push(`${name}: ${Buffer.byteLength(value, 'utf8')} bytes; at least ${PRODUCTION_SECRET_BYTES} when NODE_ENV=production (generate one: openssl rand -hex 32)`);
    }
    if (parsed.data.JWT_SECRET_PREVIOUS !== undefined && parsed.data.JWT_SECRET_PREVIOUS === parsed.data.JWT_SECRET)
      issues.push('JWT_SECRET_PREVIOUS: the same as JWT_SECRET; during a rotation it holds the secret being replaced');
    if (parsed.data.ADMIN_UI === 'on' && (parsed.data.ADMIN_UI_PASSWORD?.length ?? 0) < 32) {
      issues.push('ADMIN_UI_PASSWORD: at least 32 characters when NODE_ENV=production');
    }
    if (parsed.data.METRICS_TOKEN === undefined) issues.push('METRICS_TOKEN: required when NODE_ENV=production (without it /metrics is open to anyone)');
    if (issues.length) throw new ConfigError(issues);
  }
  return Object.freeze({ ...parsed.data, devSecrets });
}
