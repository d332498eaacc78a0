import type { RedisClient } from '../../core/src/redis/client.js';
import type { Pusher } from '../../core/src/pusher.js';
import { relayPusher } from '../../core/src/push/push-relay.js';

/**
 * The worker's pushes: PUBLISHed on our own channel (`Keys.pushChannel`); every server node relays them to
 * its local sockets (server/src/io/push-relay.ts). Independent of the adapter the nodes use between them.
 */
export function workerPusher(pub: RedisClient, channel: string): Pusher {
  return relayPusher((message) => pub.publish(channel, message));
}
