import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import { instrumentRedis, type DomainMetrics } from '../metrics.js';
import { loadScripts } from './scripts.js';

export type { Redis, Cluster };

/**
 * A connection to the deployment's Redis: one server (`REDIS_URL`) or a Redis Cluster
 * (`REDIS_CLUSTER_NODES`). Both speak the same commands, pipelines and Lua scripts; the keys of one call
 * share a hash tag (keys.ts), so a multi-key call stays within one slot either way.
 */
export type RedisClient = Redis | Cluster;

export interface HostPort {
  host: string;
  port: number;
}

/** Where the clients connect: a URL, or the seed nodes of a cluster (REDIS_URL is then ignored). */
export type RedisConnection = { url: string; cluster?: undefined } | { cluster: readonly HostPort[]; url?: undefined };

/** The connection a config names. */
export function redisConnection(config: { REDIS_URL: string; REDIS_CLUSTER_NODES?: readonly HostPort[] | undefined }): RedisConnection {
  return config.REDIS_CLUSTER_NODES?.length ? { cluster: config.REDIS_CLUSTER_NODES } : { url: config.REDIS_URL };
}

/** Whether a client talks to a Redis Cluster. */
export function isCluster(client: RedisClient): client is Cluster {
  return client.isCluster;
}

export type RedisFactoryOptions = RedisConnection & {
  log: Logger;
  name: string;
  /**
   * For a BullMQ Worker's connection (its blocking fetch needs `maxRetriesPerRequest: null`: commands wait for
   * Redis however long it is away). Every other client, BullMQ queues included, fails fast instead.
   */
  blocking?: boolean;
  /**
   * For a pub/sub subscriber whose subscriptions `keepSubscribed` (redis/outage.ts) restores on every
   * reconnect; ioredis's own resubscription is off so one owner decides.
   */
  subscriber?: boolean;
  /**
   * Batch commands issued in the same tick into one round trip (default on). Off for the adapter's pub/sub
   * clients: their unsubscribe on close must be written before QUIT, not a tick later.
   */
  autoPipelining?: boolean;
  /** Times this client's commands and counts their failures, labelled `client=<name>`. */
  metrics?: DomainMetrics;
};

/** Reconnect attempts at most a second apart, for a server and for a whole cluster alike. */
const retryStrategy = (times: number): number => Math.min(100 * times, 1000);

/**
 * Commands fail fast while Redis is away (the caller answers `unavailable`) and the client reconnects by
 * itself, so a Redis restart costs errors for its duration and nothing after. A command issued while the
 * client reconnects waits in the offline queue for at most two attempts (`maxRetriesPerRequest: 1`), and
 * attempts are at most a second apart: a caller hears `unavailable` within about two seconds, and the
 * client is back within a second of Redis.
 *
 * On a cluster the same holds as far as ioredis allows: ioredis follows MOVED and ASK redirections and, when
 * a node's connection drops (a primary failing over), retries the command every 100 ms against a fresh
 * slot map, at most 16 times (`maxRedirections`): a command either lands on the replica that took over or
 * fails after about two seconds as an outage (outage.ts). The cluster's own offline queue has no limit, so it
 * is used only until the first `ready`: after that, a command issued while every node is away fails at once
 * instead of waiting for the cluster to come back (a BullMQ worker's blocking connection keeps waiting).
 */
export function createRedis(options: RedisFactoryOptions): RedisClient {
  const { log, name, blocking, subscriber, autoPipelining = true, metrics } = options;
  const nodeOptions: RedisOptions = {
    connectionName: `stickyroom:${name}`,
    maxRetriesPerRequest: blocking ? null : 1,
    enableOfflineQueue: true,
    autoResubscribe: !subscriber,
  };
  let redis: RedisClient;
  if (options.cluster) {
    const clusterOptions: ClusterOptions = {
      redisOptions: nodeOptions,
      // Never on a cluster: ioredis batches auto-pipelined commands per node, and when a slot moves (a
      // failover) a batch whose other commands succeeded hands its MOVED replies to the callers instead of
      // following them (ioredis issue 2075, open). Single commands and our own one-slot pipelines follow them.
      enableAutoPipelining: false,
      enableOfflineQueue: true,
      // A subscriber's SSUBSCRIBE (the sharded Socket.IO adapter: a channel per room) must reach the shard that
      // owns each channel's slot. Without this ioredis sends them all to one node, which answers MOVED for
      // most; the rooms on other shards then never hear the other server nodes, and nothing says so.
      shardedSubscribers: subscriber === true,
      clusterRetryStrategy: retryStrategy,
      scaleReads: 'master',
    };
    const cluster = new Cluster(options.cluster.map((n) => ({ host: n.host, port: n.port })), clusterOptions);
    if (!blocking) cluster.once('ready', () => (cluster.options.enableOfflineQueue = false));
    redis = cluster;
  } else {
    redis = new Redis(options.url, { ...nodeOptions, lazyConnect: false, enableAutoPipelining: autoPipelining, retryStrategy });
  }
  if (metrics) instrumentRedis(redis, name, metrics);
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) log.warn({ err: err.message, client: name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info({ client: name }, 'redis connection restored');
    down = false;
  });
  // a cluster reports a lost node on its `node error` event, not `error`
  if (isCluster(redis)) {
    const warned = new Set<string>();
    redis.on('node error', (err: Error, node: string) => {
      if (!warned.has(node)) log.warn({ err: err.message, client: name, node }, 'redis cluster node error');
      warned.add(node);
    });
    redis.on('ready', () => warned.clear());
  }
  loadScripts(redis);
  return redis;
}

/** The name a client was given by createRedis (`stickyroom:<name>`), for logs and health. */
export function clientName(client: RedisClient): string | undefined {
  return isCluster(client) ? client.options.redisOptions?.connectionName : client.options.connectionName;
}
