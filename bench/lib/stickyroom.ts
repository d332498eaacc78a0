import { randomBytes } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { TokenService } from '../../core/src/identity/tokens.js';
import { NodeChild } from './child.js';
import { freePort, waitHttpOk } from './net.js';
import { benchPrefix, BENCH_REDIS_URL, dropPrefix } from './redis.js';

const READY_TIMEOUT_MS = 30_000;

export interface StickyroomServer {
  server: NodeChild;
  url: string;
  jwtSecret: string;
  redisPrefix: string;
  /** Its METRICS_TOKEN (for `/metrics`). */
  metricsToken: string;
  /** Stops the server; the first node of a deployment also deletes every key the deployment wrote (stop it last). */
  stop(): Promise<void>;
}

export interface StickyroomOptions {
  /** Label in logs and errors. */
  name: string;
  /** Environment on top of the production-like defaults (rate limits, WS_NO_BUFFER_UTIL, ...). */
  env?: Record<string, string>;
  /**
   * Another checkout of the repository to run the server from (a "before" tree sharing this one's
   * node_modules), so a change is measured in the same run as its absence. Default: this tree.
   */
  root?: string;
  /** Extra node flags for the server (e.g. `--import` of another probe). */
  nodeFlags?: string[];
  /** Another node of a deployment already started (`startStickyroom`): this one shares its Redis prefix and JWT secret. */
  joining?: StickyroomServer;
}

/**
 * `server/src/main.ts` as in production (NODE_ENV=production, LOG_LEVEL=warn) on a private Redis prefix
 * deleted by `stop()`, with the memory/event-loop/profile probe preloaded.
 */
/**
 * The environment every benchmark's server node runs with: production mode against the bench Redis under its
 * own prefix, quiet logs, fresh secrets; with `port`, listening on loopback there.
 */
export function benchServerEnv(a: { prefix: string; jwtSecret: string; port?: number }): Record<string, string> {
  return {
    NODE_ENV: 'production',
    ...(a.port !== undefined ? { PORT: String(a.port), HOST: '127.0.0.1' } : {}),
    REDIS_URL: BENCH_REDIS_URL,
    REDIS_PREFIX: a.prefix,
    LOG_LEVEL: 'warn',
    JWT_SECRET: a.jwtSecret,
    WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    METRICS_TOKEN: randomBytes(24).toString('hex'),
  };
}

export async function startStickyroom(opts: StickyroomOptions): Promise<StickyroomServer> {
  const port = await freePort();
  const prefix = opts.joining?.redisPrefix ?? benchPrefix();
  const jwtSecret = opts.joining?.jwtSecret ?? randomBytes(24).toString('hex');
  const env = {
    ...benchServerEnv({ prefix, jwtSecret, port }),
    ...(opts.joining ? { METRICS_TOKEN: opts.joining.metricsToken } : {}),
    ...opts.env,
  };
  const entry = opts.root ? join(isAbsolute(opts.root) ? opts.root : join(process.cwd(), opts.root), 'server/src/main.ts') : 'server/src/main.ts';
  const server = new NodeChild({
    name: opts.name,
    entry,
    env,
    probe: true,
    ...(opts.nodeFlags ? { nodeFlags: opts.nodeFlags } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  // the first node of a deployment deletes its keys; a joining one leaves them to it
  const stop = async () => {
    await server.stop();
    if (!opts.joining) await dropPrefix(prefix);
  };
  try {
    await waitHttpOk(`${url}/readyz`, READY_TIMEOUT_MS, () => server.alive);
    return { server, url, jwtSecret, redisPrefix: prefix, metricsToken: env.METRICS_TOKEN!, stop };
  } catch (err) {
    await stop();
    throw new Error(`${opts.name} did not start: ${(err as Error).message}\n${server.tail()}`);
  }
}

/** A streamer token of the bench brand (the one that owns the streams it creates). */
export function streamerToken(jwtSecret: string): Promise<string> {
  return new TokenService(jwtSecret).sign({ sub: 'bench-streamer', role: 'streamer', brandId: 'bench-brand', name: 'Bench' }, '2h');
}

/** Creates and starts a stream over the HTTP API, as a streamer of the bench brand would. */
export async function createLiveStream(url: string, jwtSecret: string, title = 'benchmark'): Promise<string> {
  const token = await streamerToken(jwtSecret);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await fetch(`${url}/api/streams`, { method: 'POST', headers, body: JSON.stringify({ title }) });
  if (created.status !== 201) throw new Error(`POST /api/streams answered ${created.status}: ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const started = await fetch(`${url}/api/streams/${encodeURIComponent(id)}/start`, { method: 'POST', headers });
  if (!started.ok) throw new Error(`POST /api/streams/${id}/start answered ${started.status}: ${await started.text()}`);
  return id;
}
