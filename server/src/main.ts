import { ConfigError, loadConfig, type Config } from '../../core/src/config.js';
import { createApp } from './app.js';
import { installProcessPolicy, onStopRequest } from '../../core/src/lifecycle.js';
import { createLogger } from '../../core/src/logger.js';
import { listenFailure, redactRedisUrl, redisStartupProblem } from '../../core/src/redis/startup.js';

let config: Config;
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
installProcessPolicy(log);
if (config.devSecrets) log.warn('using the DEVELOPMENT JWT/webhook secrets: set JWT_SECRET and WEBHOOK_SECRET before going live');
if (config.METRICS_TOKEN === undefined) log.warn('GET /metrics is open to anyone: set METRICS_TOKEN before going live');
const redisUrl = config.REDIS_CLUSTER_NODES ? `cluster ${config.REDIS_CLUSTER_NODES.map((n) => `${n.host}:${n.port}`).join(',')}` : redactRedisUrl(config.REDIS_URL);
const redisProblem = await redisStartupProblem(config);
if (redisProblem) {
  log.fatal(redisProblem.fields, redisProblem.msg);
  process.exit(1);
}
const app = createApp({ config, log });
let port: number;
try {
  port = await app.listen();
} catch (err) {
  const line = listenFailure(err, config.HOST, config.PORT);
  if (!line) throw err;
  log.fatal({ host: config.HOST, port: config.PORT, code: (err as NodeJS.ErrnoException).code }, `cannot start: ${line}`);
  process.exit(1);
}
log.info({ port, redis: redisUrl }, 'stickyroom server listening');

function shutdown(reason: string): void {
  log.info({ reason, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down');
  // app.close() is bounded by the grace period; this is the backstop should anything still hang.
  setTimeout(() => {
    log.error('shutdown overran its grace period: exiting');
    process.exit(1);
  }, config.SHUTDOWN_GRACE_MS + 2000).unref();
  app.close().then(
    () => {
      log.info('stopped');
      process.exit(0);
    },
    (err: unknown) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
}
onStopRequest(log, shutdown);
