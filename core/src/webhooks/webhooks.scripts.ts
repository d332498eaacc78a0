import { defineScript } from '../redis/scripts.js';
import { webhookKeys } from './webhooks.keys.js';

export interface RecordArgs {
  brandId: string;
  deliveryId: string;
  endpointId: string;
  event: string;
  body: string;
  createdAt: number;
  ttlSec: number;
  logSize: number;
}

/** webhook-record-2.lua: 'new' when the delivery is recorded now, else the status it already had. */
export const webhookRecord = defineScript({
  file: 'webhook-record-2.lua',
  keys: (k, a: RecordArgs) => {
    const w = webhookKeys(k, a.brandId);
    return [w.delivery(a.deliveryId), w.log(a.endpointId)];
  },
  argv: (a) => [a.deliveryId, a.endpointId, a.event, a.body, a.createdAt, a.ttlSec, a.logSize],
  parse: (s: string) => s as 'new' | 'pending' | 'delivered' | 'failed',
});
