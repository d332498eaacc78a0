import { createAdapter } from '@socket.io/redis-adapter';
import type { RedisClient } from '../../../core/src/redis/client.js';
import type { Logger } from '../../../core/src/logger.js';
import { handleRejections, keepSubscribed, outageWarner } from '../../../core/src/redis/outage.js';

/**
 * The Socket.IO Redis adapter over clients that survive an outage. The adapter publishes every broadcast,
 * room change and server-side emit (`pubClient.publish(...)`) and subscribes (`subClient.psubscribe(...)`)
 * without awaiting or catching, so a publish that fails while Redis is away would be an unhandled rejection
 * (issue 7: the node exited from one raised by the chat fan-out). Here:
 * - a failed publish is dropped with one warning per outage: this node's own sockets get the broadcast
 *   anyway (the adapter delivers locally right after publishing), the other nodes' sockets miss it. What
 *   must arrive is stored with its commit and delivered again (DESIGN §10); the rest is news of state that
 *   a (re)join reads again and the next push repeats (chat history, stats, stock, totals);
 * - subscriptions come back on every reconnect, even those asked for while Redis was away (`keepSubscribed`).
 */
export function outageSafeAdapter(pub: RedisClient, sub: RedisClient, key: string, log: Logger): ReturnType<typeof createAdapter> {
  handleRejections(pub, ['publish'], outageWarner(pub, log, 'a broadcast to the other nodes'));
  keepSubscribed(sub, outageWarner(sub, log, 'subscribing to the other nodes'));
  return createAdapter(pub, sub, { key });
}
