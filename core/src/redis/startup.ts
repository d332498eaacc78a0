import { Redis } from 'ioredis';

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

/** The one line a listen failure ends with: EADDRINUSE and EACCES named in words, anything else by its code. */
export function listenFailure(err: unknown, host: string, port: number): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return `port ${port} is already in use (${where}): stop what holds it or set PORT`;
  if (code === 'EACCES') return `not allowed to listen on ${where}: use a port above 1023 or set PORT`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: no such address on this machine (set HOST)`;
  return undefined;
}
