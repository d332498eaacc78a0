import { Redis } from 'ioredis';
import type { Config } from '../config.js';

/**
 * Startup checks of a server node or worker: a process that cannot start says so in ONE line (what, where,
 * why) and exits non-zero, instead of a stack trace or a process that runs on without its Redis.
 */

/** The URL as it may be logged: a password in it becomes ***. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * Resolves once Redis at `url` answers PING, or with the reason it did not within `timeoutMs` (retrying
 * every 250 ms meanwhile, so a Redis that starts a moment after us is waited for). A throwaway connection:
 * the service's own clients, made afterwards, never log the wait as an outage.
 */
export async function waitForRedis(url: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  const until = Date.now() + timeoutMs;
  let reason = 'no answer';
  for (;;) {
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: Math.max(200, Math.min(2000, until - Date.now())),
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    // the socket's own error (ECONNREFUSED, ENOTFOUND, ...) says more than the rejection ("Connection is closed.")
    let socketError: string | undefined;
    redis.on('error', (err: Error) => {
      socketError ??= err.message;
    });
    try {
      await redis.connect();
      await redis.ping();
      return { ok: true };
    } catch (err) {
      reason = socketError ?? (err instanceof Error ? err.message : String(err));
    } finally {
      redis.disconnect();
    }
    if (Date.now() + 250 >= until) return { ok: false, reason };
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The check a server node or worker runs before anything else: undefined when its Redis answers, otherwise the
 * one line (and its fields) the process logs before it exits. The one place that knows which Redis the config
 * names: with Redis Cluster (REDIS_CLUSTER_NODES) it is `waitForRedisCluster` over the seed nodes.
 */
export async function redisStartupProblem(
  config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'REDIS_STARTUP_TIMEOUT_MS'>,
): Promise<{ msg: string; fields: Record<string, unknown> } | undefined> {
  const waitedMs = config.REDIS_STARTUP_TIMEOUT_MS;
  if (config.REDIS_CLUSTER_NODES) {
    const seeds = config.REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`);
    const up = await waitForRedisCluster(seeds, waitedMs);
    if (up.ok) return undefined;
    return {
      msg: `cannot start: no Redis Cluster seed was ready within ${waitedMs} ms (${up.reason}); check REDIS_CLUSTER_NODES and the cluster`,
      fields: { seeds, reason: up.reason, waitedMs },
    };
  }
  const redis = redactRedisUrl(config.REDIS_URL);
  const up = await waitForRedis(config.REDIS_URL, waitedMs);
  if (up.ok) return undefined;
  return {
    msg: `cannot start: Redis at ${redis} did not answer within ${waitedMs} ms (${up.reason}); check REDIS_URL and that Redis runs`,
    fields: { redis, reason: up.reason, waitedMs },
  };
}

/** The one line a listen failure ends with: EADDRINUSE and EACCES named in words, anything else by its code. */
export function listenFailure(err: unknown, host: string, port: number): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return `port ${port} is already in use (${where}): stop what holds it or set PORT`;
  if (code === 'EACCES') return `not allowed to listen on ${where}: use a port above 1023 or set PORT`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: no such address on this machine (set HOST)`;
  return undefined;
}

/**
 * Redis Cluster at start (REDIS_CLUSTER_NODES): each seed node `host:port` is asked CLUSTER INFO, retried every
 * 250 ms within `timeoutMs`. Ready once one seed answers `cluster_state:ok` (the client discovers the other
 * nodes from it). Otherwise the reason names every seed and what it said: refused, unknown host, not a cluster
 * node (cluster support disabled), or a cluster whose state is not ok (slots not covered, a primary down).
 */
export async function waitForRedisCluster(
  seeds: readonly string[],
  timeoutMs: number,
  options: { password?: string; tls?: boolean } = {},
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const until = Date.now() + timeoutMs;
  let reasons: string[] = [];
  for (;;) {
    reasons = await Promise.all(seeds.map((seed) => clusterSeedProblem(seed, Math.max(200, Math.min(2000, until - Date.now())), options)));
    if (reasons.some((r) => r === '')) return { ok: true };
    if (Date.now() + 250 >= until) return { ok: false, reason: seeds.map((s, i) => `${s}: ${reasons[i]}`).join('; ') };
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** '' when the seed answers CLUSTER INFO with cluster_state:ok; otherwise what is wrong, in words. */
async function clusterSeedProblem(seed: string, connectTimeout: number, options: { password?: string; tls?: boolean }): Promise<string> {
  const at = seed.lastIndexOf(':');
  const host = at > 0 ? seed.slice(0, at).replace(/^\[|\]$/g, '') : seed;
  const port = at > 0 ? Number(seed.slice(at + 1)) : 6379;
  const redis = new Redis({
    host,
    port,
    ...(options.password ? { password: options.password } : {}),
    ...(options.tls ? { tls: {} } : {}),
    lazyConnect: true,
    connectTimeout,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let socketError: string | undefined;
  redis.on('error', (err: Error) => {
    socketError ??= err.message;
  });
  try {
    await redis.connect();
    const info = await redis.cluster('INFO');
    const state = /cluster_state:(\w+)/.exec(String(info))?.[1];
    return state === 'ok' ? '' : `cluster_state is ${state ?? 'unknown'} (slots not all covered, or a primary is down)`;
  } catch (err) {
    const message = socketError ?? (err instanceof Error ? err.message : String(err));
    if (/cluster support disabled/i.test(message)) return 'not a cluster node (cluster support disabled): use REDIS_URL for a single Redis';
    if (/ECONNREFUSED/.test(message)) return `refused the connection (${message})`;
    return message;
  } finally {
    redis.disconnect();
  }
}
