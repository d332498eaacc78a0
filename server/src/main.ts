import { ConfigError, loadConfig } from './config.js';
import { createApp } from './app.js';
import { createLogger } from './logger.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`stickyroom server: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const log = createLogger(config.LOG_LEVEL, 'server');
if (config.devSecrets) log.warn('using the DEVELOPMENT JWT/webhook secrets: set JWT_SECRET and WEBHOOK_SECRET before going live');
if (config.METRICS_TOKEN === undefined) log.warn('GET /metrics is open to anyone: set METRICS_TOKEN before going live');
const app = createApp({ config, log });
const port = await app.listen();
log.info({ port, redis: config.REDIS_URL.replace(/\/\/[^@]*@/, '//***@') }, 'stickyroom server listening');

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 10_000).unref();
  await app.close();
  clearTimeout(force);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
