import { defineScript } from '../redis/scripts.js';
import { streamOrderKeys } from './orders.keys.js';

/** order-claim-1.lua: true to count the order now, false when it was counted; busy (another delivery) is refused. */
export const orderClaim = defineScript({
  file: 'order-claim-1.lua',
  keys: (k, a: { streamId: string; orderId: string; now: number; leaseMs: number }) => [streamOrderKeys(k, a.streamId).orders],
  argv: (a) => [a.orderId, a.now, a.leaseMs],
  refusals: { [-1]: 'order_busy' },
  parse: (take: 1 | 0) => take === 1,
});
