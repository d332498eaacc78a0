import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { encode as msgpack } from 'notepack.io';
import type { Logger } from '../../../core/src/logger.js';
import { handleRejections, keepSubscribed, outageWarner, type RedisLike } from '../../../core/src/redis/outage.js';
import { chunkedDelivery } from './chunked-delivery.js';

/** Which Socket.IO Redis adapter carries broadcasts between the nodes (config `SOCKET_ADAPTER`). */
export type AdapterKind = 'sharded' | 'classic';

/**
 * The adapter's two connections, made by the caller: a single Redis (`createRedis`, the subscriber with
 * `subscriber: true`) or, in cluster mode, ioredis `Cluster` clients. A Cluster subscriber must be made with
 * `shardedSubscribers: true`, or SSUBSCRIBE lands on one node and the broadcasts of rooms whose channel
 * hashes to another shard are dropped without an error. Only what `Redis` and `Cluster` both offer is used.
 */
export interface AdapterClients {
  pub: RedisLike;
  sub: RedisLike;
}

/** The Socket.IO adapter constructor both kinds return (`io.adapter(...)` takes it). */
export type AdapterConstructor = ReturnType<typeof createShardedAdapter> | ReturnType<typeof createAdapter>;

/**
 * The Socket.IO Redis adapter over clients that survive an outage.
 *
 * `sharded` (the default): Redis 7 sharded pub/sub. Each room has its own channel (`<key>#/#<room>#`),
 * SSUBSCRIBEd by a node while it has a socket in the room and SUNSUBSCRIBEd when its last one leaves, so a
 * node hears only the rooms it serves; on a Cluster each channel lives on the shard that owns its slot, so
 * pub/sub traffic spreads over the shards instead of every message reaching every node of the cluster.
 * `classic`: one PUBLISH channel every node PSUBSCRIBEs; every broadcast reaches every node. Kept so the
 * fan-out bench can compare the two (docs/operations.md).
 *
 * Neither adapter awaits or catches its Redis calls (SPUBLISH/PUBLISH on every broadcast; SSUBSCRIBE and
 * SUNSUBSCRIBE on every room a node creates or deletes), so here:
 * - a failed publish is dropped with one warning per outage: this node's own sockets get the broadcast
 *   anyway (the adapter delivers locally once the publish has settled), the other nodes' sockets miss it.
 *   What must arrive is stored with its commit and delivered again (DESIGN §10); the rest is news of state
 *   that a (re)join reads again and the next push repeats (chat history, stats, stock, totals);
 * - a subscribe or unsubscribe that fails (a viewer joining or leaving while Redis is away) never rejects
 *   unhandled, and every channel the node holds (each of its local rooms, for the sharded adapter) is
 *   subscribed again on every reconnect, including those asked for while Redis was away (`keepSubscribed`):
 *   a room created during an outage hears the other nodes once Redis is back.
 */
export function outageSafeAdapter(kind: AdapterKind, { pub, sub }: AdapterClients, key: string, log: Logger): AdapterConstructor {
  handleRejections(pub, [kind === 'sharded' ? 'spublish' : 'publish'], outageWarner(pub, log, 'a broadcast to the other nodes'));
  keepSubscribed(sub, outageWarner(sub, log, 'subscribing to the other nodes'));
  // Either way a big room's local delivery runs in chunks (chunked-delivery.ts).
  if (kind === 'classic') {
    const classic = createAdapter(pub, sub, { key });
    return function (nsp: unknown) {
      return chunkedDelivery(classic(nsp));
    } as AdapterConstructor;
  }
  // `dynamic`: a room per channel, except a socket's own room (its id), which goes on the namespace's channel
  const sharded = createShardedAdapter(pub, sub, { channelPrefix: key, subscriptionMode: 'dynamic' });
  // a function, not an arrow: Socket.IO calls it with `new`
  return function (nsp: unknown) {
    return chunkedDelivery(packed(sharded(nsp)));
  } as AdapterConstructor;
}

/**
 * The sharded adapter encodes a message as JSON unless it holds binary data, where the classic adapter always
 * uses MessagePack; JSON made each broadcast about 60% larger on the wire (docs/benchmarks-history.md). Its decoder
 * takes both (JSON when the first byte is `{`, MessagePack otherwise: a MessagePack map never starts with
 * `{`), so nodes that send MessagePack and nodes that send JSON understand each other during a rolling
 * upgrade. If a later version of the adapter drops its `encode` method this does nothing (the wire-size test
 * in test/chaos/sharded-adapter-outage.test.ts then fails).
 */
function packed<A>(adapter: A): A {
  const target = adapter as { encode?: (message: unknown) => unknown };
  if (typeof target.encode === 'function') target.encode = (message: unknown) => msgpack(message);
  return adapter;
}
