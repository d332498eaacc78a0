/**
 * One server node of the adapter comparison (`npm run bench fanout -- --nodes 2`): the production app
 * (`createApp`, config from the environment) that also counts, in the process, what its adapter's
 * subscriber receives from Redis (messages and bytes, whatever the adapter's kind: channel, pattern or
 * sharded-channel messages). The bench asks for the counters over IPC.
 */
import type { EventEmitter } from 'node:events';
import { loadConfig } from '../../core/src/config.js';
import { createLogger } from '../../core/src/logger.js';
import { createApp } from '../../server/src/app.js';
import { AdapterNodeRequest, type AdapterNodeReply } from './adapter-protocol.js';

const config = loadConfig();
const app = createApp({ config, log: createLogger(config.LOG_LEVEL, 'bench-node') });
const sub = (app.io.of('/').adapter as unknown as { subClient: EventEmitter }).subClient;
const inbound = { messages: 0, bytes: 0 };
const count = (message: Buffer | string) => {
  inbound.messages++;
  inbound.bytes += typeof message === 'string' ? Buffer.byteLength(message) : message.length;
};
sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => count(message));
sub.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, message: Buffer) => count(message));
sub.on('smessageBuffer', (_channel: Buffer, message: Buffer) => count(message));

await app.listen();
process.on('message', (raw: unknown) => {
  const req = AdapterNodeRequest.safeParse(raw);
  if (!req.success) return;
  if (req.data.type === 'counters') process.send!({ type: 'counters', id: req.data.id, ...inbound } satisfies AdapterNodeReply);
  else void app.close().then(() => process.exit(0));
});
process.on('disconnect', () => void app.close().then(() => process.exit(0)));
process.send!({ type: 'ready' } satisfies AdapterNodeReply);
