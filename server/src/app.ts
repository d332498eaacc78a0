import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildContext, silentBroadcaster } from '../../core/src/build-context.js';
import type { Config } from '../../core/src/config.js';
import { systemClock, type AppContext, type Clock } from '../../core/src/context.js';
import { features as allFeatures } from './features/index.js';
import type { Feature } from './features/types.js';
import { createHttpApp } from './http/app.js';
import { createIo, ioBroadcaster, type AppIo } from './io/server.js';
import { createLogger, type Logger } from '../../core/src/logger.js';
import { createMetrics } from './metrics.js';
import { createRedis } from '../../core/src/redis/client.js';
import { settlesWithin } from '../../core/src/lifecycle.js';

export interface App {
  ctx: AppContext;
  http: HttpServer;
  io: AppIo;
  /** Listens on `port` (0 picks a free one) and resolves the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /**
   * Stops the features' timers (flushing what they hold), closes every socket and the Redis connections.
   * Bounded by `graceMs` (SHUTDOWN_GRACE_MS): with Redis unreachable, what is left is abandoned and the
   * connections are closed without waiting.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

export interface AppOptions {
  config: Config;
  clock?: Clock;
  log?: Logger;
  features?: readonly Feature[];
}

/** The composition root of a server node: config -> redis -> http -> io -> features. */
export function createApp({ config, clock = systemClock, log = createLogger(config.LOG_LEVEL, 'server'), features = allFeatures }: AppOptions): App {
  const redis = createRedis({ url: config.REDIS_URL, log, name: 'cmd' });
  const pub = createRedis({ url: config.REDIS_URL, log, name: 'io-pub', autoPipelining: false });
  const sub = createRedis({ url: config.REDIS_URL, log, name: 'io-sub', autoPipelining: false, subscriber: true });
  const bull = createRedis({ url: config.REDIS_URL, log, name: 'bull' });
  const metrics = createMetrics();
  const ctx = buildContext({ config, log, clock, redis, bull, broadcast: silentBroadcaster, features });

  const httpApp = createHttpApp(ctx, features, metrics);
  const http = createServer(httpApp);
  const io = createIo(ctx, http, {
    handlers: features.flatMap((f) => f.handlers ?? []),
    pub,
    sub,
    metrics,
    onDisconnect: features.flatMap((f) => (f.onDisconnect ? [(s) => f.onDisconnect!(ctx, s)] : [])),
  });
  ctx.broadcast = ioBroadcaster(io);
  const stops = features.flatMap((f) => (f.start ? [f.start(ctx)] : []));

  return {
    ctx,
    http,
    io,
    listen(port = config.PORT, host = config.HOST) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve((http.address() as AddressInfo).port);
        });
      });
    },
    async close({ graceMs = config.SHUTDOWN_GRACE_MS } = {}) {
      const clients = [redis, pub, sub, bull];
      const orderly = (async () => {
        for (const stop of stops) await stop();
        await io.close();
        await ctx.jobs.close();
        await Promise.all(clients.map((r) => r.quit().catch(() => r.disconnect())));
      })();
      orderly.catch((err: unknown) => log.warn({ err }, 'shutdown step failed'));
      if (!(await settlesWithin(orderly, graceMs))) {
        log.warn(
          { graceMs, redis: redis.status },
          'shutdown did not finish within its grace period (Redis unreachable?): closing the Redis connections without waiting; reactions not yet flushed are lost',
        );
      }
      for (const r of clients) if (r.status !== 'end') r.disconnect();
    },
  };
}
