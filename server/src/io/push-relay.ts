import type { RedisClient } from '../../../core/src/redis/client.js';
import type { Logger } from '../../../core/src/logger.js';
import { parseRelayed } from '../../../core/src/push/push-relay.js';
import { keepSubscribed, outageWarner } from '../../../core/src/redis/outage.js';
import type { AppIo } from './server.js';

/**
 * Relays the pushes published on `channel` (by the worker) to this node's own sockets. Every node
 * subscribes, so each viewer gets a relayed push once, from the node it is connected to, whatever the
 * adapter between the nodes. The subscription comes back after every outage (`keepSubscribed`).
 */
export function relayPushes(io: AppIo, sub: RedisClient, channel: string, log: Logger): void {
  keepSubscribed(sub, outageWarner(sub, log, 'subscribing to relayed pushes'));
  sub.on('message', (ch: string, message: string) => {
    if (ch !== channel) return;
    const push = parseRelayed(message);
    if (!push) {
      log.warn({ channel }, 'ignored a malformed relayed push');
      return;
    }
    if (push.kind === 'emit') io.local.to(push.room).except(push.except ?? []).emit(push.event as never, ...([push.payload] as never));
    else io.local.in(push.room).socketsLeave(push.leave);
  });
  // a refusal is warned about by keepSubscribed, which asks again once Redis is ready
  sub.subscribe(channel).catch(() => undefined);
}
