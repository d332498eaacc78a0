import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../core/src/config.js';
import { systemClock, type Clock } from '../../core/src/clock.js';
import type { AppContext } from '../../core/src/context.js';
import { createContext } from '../../core/src/create-context.js';
import type { DomainFeature } from '../../core/src/feature.js';
import { TokenService } from '../../core/src/identity/tokens.js';
import { createLogger, type Logger } from '../../core/src/logger.js';
import type { DomainMetrics } from '../../core/src/metrics.js';
import { createRedis, redisConnection, type RedisClient } from '../../core/src/redis/client.js';
import { Keys } from '../../core/src/redis/keys.js';
import { features as allFeatures } from './features/index.js';
import type { Feature } from './features/types.js';
import { createHttpApp } from './http/app.js';
import { createIo, drainSockets, ioPusher, serveSockets, type AppIo } from './io/server.js';
import { createMetrics } from './metrics.js';
import { relayPushes } from './io/push-relay.js';
import { serveAdminUi } from './io/admin-ui.js';
import { settlesWithin } from '../../core/src/lifecycle.js';
import { liveSummaries } from '../../core/src/summary/summary.live.js';

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
  /** The transport of each feature (handlers, routes); every feature's by default. */
  features?: readonly Feature[];
  /** The domain features and their hooks; every one by default (tests add recording ones). */
  domain?: readonly DomainFeature[];
}

/**
 * The Socket.IO adapter's publish and subscribe connections. Pub/sub clients of their own: a subscriber can
 * run no other command, and the publisher's writes must not queue behind the commands of the features.
 * This is the one place that decides what kind of client they are (cluster mode plugs its clients in here).
 */
export function createAdapterClients(config: Config, log: Logger, metrics?: DomainMetrics): { pub: RedisClient; sub: RedisClient } {
  const connection = redisConnection(config);
  return {
    pub: createRedis({ ...connection, log, name: 'io-pub', autoPipelining: false, metrics }),
    // on a cluster the subscriber SSUBSCRIBEs each room's channel on the shard of its slot (`shardedSubscribers`)
    sub: createRedis({ ...connection, log, name: 'io-sub', autoPipelining: false, subscriber: true, metrics }),
  };
}

/**
 * The composition root of a server node, in an order that needs no placeholder: the Socket.IO server
 * (not yet attached) gives the Pusher, the Pusher the domain context, the context the HTTP app and the
 * socket handlers; the HTTP server is made with its handler and Socket.IO attached to it last.
 */
export function createApp({ config, clock = systemClock, log = createLogger(config.LOG_LEVEL, 'server'), features = allFeatures, domain }: AppOptions): App {
  const metrics = createMetrics();
  const m = metrics.domain;
  const connection = redisConnection(config);
  const redis = createRedis({ ...connection, log, name: 'cmd', metrics: m });
  const adapter = createAdapterClients(config, log, m);
  const bull = createRedis({ ...connection, log, name: 'bull', metrics: m });
  const relaySub = createRedis({ ...connection, log, name: 'push-sub', autoPipelining: false, subscriber: true, metrics: m });
  const tokens = new TokenService(config.JWT_SECRET, { maxTtlSec: config.JWT_MAX_TTL, previousSecret: config.JWT_SECRET_PREVIOUS });

  const keys = new Keys(config.REDIS_PREFIX);
  const io = createIo(config, { adapter, channel: keys.ioChannel, log });
  relayPushes(io, relaySub, keys.pushChannel, log);
  const ctx = createContext({ config, log, clock, redis, bull, pusher: ioPusher(io), metrics: m, ...(domain ? { features: domain } : {}) });
  const http = createServer(createHttpApp(ctx, { tokens, features, metrics }));
  serveSockets(io, ctx, {
    tokens,
    metrics,
    handlers: features.flatMap((f) => f.handlers ?? []),
    onDisconnect: features.flatMap((f) => (f.onDisconnect ? [(s) => f.onDisconnect!(ctx, s)] : [])),
  });
  if (config.ADMIN_UI === 'on') serveAdminUi(io, config, log);
  io.attach(http);
  const stops = ctx.features.flatMap((f) => (f.start ? [f.start(ctx)] : []));

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
      // Drain: stop listening, so the load balancer's next connection goes to another node, and tell every
      // socket to move (`session:ended { reason: 'server_draining' }`); the SDK reconnects at a random point
      // of its drain window, so a rolling restart is not a join storm on the other nodes.
      if (http.listening) http.close();
      const draining = drainSockets(io);
      if (draining > 0) log.info({ sockets: draining }, 'draining: told every socket to reconnect to another node');
      const clients = [redis, adapter.pub, adapter.sub, bull, relaySub];
      // the live summary's thread (if this node started one) finishes the refresh in hand, meanwhile
      const summaryThread = liveSummaries(ctx).close(graceMs);
      const orderly = (async () => {
        for (const stop of stops) await stop();
        await io.close();
        await ctx.jobs.close();
        await Promise.all(clients.map((r) => r.quit().catch(() => r.disconnect())));
        await summaryThread;
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
