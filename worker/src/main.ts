import { ConfigError, loadConfig } from '../../server/src/config.js';
import { QUEUE } from '../../server/src/jobs/queues.js';
import { createLogger } from '../../server/src/logger.js';
import { startWorker } from './worker.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`stickyroom worker: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const log = createLogger(config.LOG_LEVEL, 'worker');
const running = startWorker({ config, log });
log.info({ queue: QUEUE, concurrency: config.WORKER_CONCURRENCY }, 'stickyroom worker running');

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'worker shutting down: finishing the jobs in hand');
  const force = setTimeout(() => process.exit(1), 30_000).unref();
  await running.close();
  clearTimeout(force);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
