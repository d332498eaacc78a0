import type { Logger } from '../logger.js';
import { clientName, type RedisClient } from './client.js';

/** A connection these helpers watch: a single Redis, or a Redis Cluster client (what both offer is all they use). */
export type RedisLike = RedisClient;

/**
 * What a Redis outage looks like from ioredis, BullMQ and Node, so callers answer `unavailable` (retry soon)
 * instead of `internal` (a bug). By class where the library gives one a name, by code for socket errors,
 * and by exact message only where ioredis throws a plain `Error`.
 */
const OUTAGE_NAMES = new Set([
  'MaxRetriesPerRequestError', // ioredis: the offline queue gave up on a command while reconnecting
  'ConnectionClosedError', // BullMQ: its connection closed under a queue call
  'ClusterAllFailedError', // ioredis Cluster: no node answered
  'ReplicaAckTimeout', // cluster mode: no replica confirmed a write in time (WAIT), so it is not acknowledged
  'SlotMoving', // cluster mode: a slot kept moving while a pipeline followed it (replica-ack.ts)
]);
const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTCONN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED', 'EAI_AGAIN']);
const OUTAGE_MESSAGES = [
  'Connection is closed.', // ioredis: a command on a client that ended or was disconnected
  "Stream isn't writeable", // ioredis: not connected and the offline queue is off
  'Command timed out', // ioredis: `commandTimeout` elapsed
  'Reached the max retries per request limit', // MaxRetriesPerRequestError when its name was lost (serialized)
  'Too many Cluster redirections', // ioredis Cluster: a slot's node stayed away through every retry (a failover)
  "Cluster isn't ready", // ioredis Cluster: every node away, and the offline queue off (client.ts)
  'Cluster is ended.', // ioredis Cluster: a command on a cluster client that was closed
  'Command aborted due to connection close', // ioredis: a pipeline in flight when its connection dropped (it may have run)
];
/** Replies of a Redis that is up but cannot serve yet: loading its data, busy in a script, failing over. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY)\b/;

export function isRedisUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 3) return false;
  if (OUTAGE_NAMES.has(err.name)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && OUTAGE_CODES.has(code)) return true;
  if (err.name === 'ReplyError' && TRANSIENT_REPLY.test(err.message)) return true;
  if (OUTAGE_MESSAGES.some((m) => err.message.startsWith(m))) return true;
  if (err instanceof AggregateError && err.errors.some((e) => isRedisUnavailable(e, depth + 1))) return true;
  return isRedisUnavailable(err.cause, depth + 1);
}

/**
 * One warning per outage instead of one per failure: `warn(err)` logs the first failure after `client` was
 * last ready and stays quiet until it is ready again. For pushes and other work nobody waits for.
 */
export function outageWarner(client: RedisLike, log: Logger, what: string): (err: unknown) => void {
  let warned = false;
  client.on('ready', () => {
    warned = false;
  });
  return (err) => {
    if (warned) return;
    warned = true;
    log.warn({ err: err instanceof Error ? err.message : String(err), client: clientName(client) }, `${what} failed (Redis unreachable?); more such failures are not logged until it is back`);
  };
}

type Method = (...args: unknown[]) => unknown;

/**
 * Gives every promise that `methods` of `client` return a rejection handler, so a library that calls them and
 * never awaits the result (the Socket.IO Redis adapter publishes and subscribes like that) cannot
 * leave a rejection unhandled. Callers that do await still see the rejection.
 */
export function handleRejections(client: RedisLike, methods: readonly string[], onRejected: (err: unknown) => void): void {
  const target = client as unknown as Record<string, Method>;
  for (const name of methods) {
    const original = target[name];
    if (typeof original !== 'function') throw new Error(`ioredis has no method ${name}`);
    target[name] = function (this: unknown, ...args: unknown[]) {
      const out = original.apply(this, args);
      if (out instanceof Promise) out.catch(onRejected);
      return out;
    };
  }
}

/**
 * Keeps a subscriber client's channels subscribed across reconnects: every channel, pattern and sharded
 * channel it was ever asked for (and not released) is asked for again each time it is ready. ioredis's own
 * resubscription (off here) only restores subscriptions Redis had confirmed, so one asked for during an
 * outage, or lost when the connection broke again before Redis confirmed it, would never come back and the
 * node would stop hearing the other nodes' broadcasts. Sharded channels (SSUBSCRIBE: the sharded Socket.IO
 * adapter's one channel per room) are asked for one per command, since on a Cluster each may live on
 * another shard and one command may not span slots.
 */
export function keepSubscribed(sub: RedisLike, onRejected: (err: unknown) => void): void {
  const target = sub as unknown as Record<string, Method>;
  const wrap = (name: string, note: (channels: string[]) => void): Method => {
    const original = target[name];
    if (typeof original !== 'function') throw new Error(`ioredis has no method ${name}`);
    target[name] = function (this: unknown, ...args: unknown[]) {
      note(args.flat().filter((a): a is string => typeof a === 'string'));
      const out = original.apply(this, args);
      if (out instanceof Promise) out.catch(onRejected);
      return out;
    };
    return original;
  };
  const channels = new Set<string>();
  const patterns = new Set<string>();
  const sharded = new Set<string>();
  const release = (set: Set<string>) => (names: string[]) => (names.length ? names.forEach((n) => set.delete(n)) : set.clear());
  const subscribe = wrap('subscribe', (names) => names.forEach((n) => channels.add(n)));
  const psubscribe = wrap('psubscribe', (names) => names.forEach((n) => patterns.add(n)));
  const ssubscribe = wrap('ssubscribe', (names) => names.forEach((n) => sharded.add(n)));
  wrap('unsubscribe', release(channels));
  wrap('punsubscribe', release(patterns));
  wrap('sunsubscribe', release(sharded));
  sub.on('ready', () => {
    if (channels.size) (subscribe.apply(sub, [...channels]) as Promise<unknown>).catch(onRejected);
    if (patterns.size) (psubscribe.apply(sub, [...patterns]) as Promise<unknown>).catch(onRejected);
    for (const channel of sharded) (ssubscribe.apply(sub, [channel]) as Promise<unknown>).catch(onRejected);
  });
}
