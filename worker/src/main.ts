import { ConfigError, loadConfig, type Config } from '../../core/src/config.js';
import { QUEUE, WEBHOOK_QUEUE } from '../../core/src/jobs/queues.js';
import { installProcessPolicy, onStopRequest } from '../../core/src/lifecycle.js';
import { createLogger } from '../../core/src/logger.js';
import { redisStartupProblem } from '../../core/src/redis/startup.js';
import { serveWorkerHttp } from './http.js';
import { startWorker } from './worker.js';

let config: Config;
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
installProcessPolicy(log);
const redisProblem = await redisStartupProblem(config);
if (redisProblem) {
  log.fatal(redisProblem.fields, redisProblem.msg);
  process.exit(1);
}
const running = startWorker({ config, log });
log.info({ queues: { [QUEUE]: config.WORKER_CONCURRENCY, [WEBHOOK_QUEUE]: config.WEBHOOK_CONCURRENCY } }, 'stickyroom worker running (concurrency per queue)');
running.whenReady().then(
  () => log.info('worker ready: Redis connected, taking jobs'),
  (err: unknown) => log.warn({ err }, 'worker did not become ready'),
);
if (config.METRICS_TOKEN === undefined) log.warn('GET /metrics of the worker is open to anyone: set METRICS_TOKEN before going live');
const http = serveWorkerHttp(running, config, log).then(
  (h) => {
    log.info({ host: config.WORKER_HTTP_HOST, port: h.port }, 'worker HTTP port: GET /metrics, GET /healthz');
    return h;
  },
  (err: NodeJS.ErrnoException) => {
    process.stderr.write(`stickyroom worker: cannot listen on ${config.WORKER_HTTP_HOST}:${config.WORKER_HTTP_PORT} (${err.code ?? err.message}); set WORKER_HTTP_PORT\n`);
    // a job it may have taken in the meantime is finished or handed back before the exit
    running.close({ graceMs: 2000 }).then(
      () => process.exit(1),
      () => process.exit(1),
    );
    return new Promise<never>(() => undefined);
  },
);

function shutdown(reason: string): void {
  log.info({ reason, graceMs: config.WORKER_SHUTDOWN_GRACE_MS, jobsInHand: running.jobsInHand() }, 'worker shutting down: finishing the jobs in hand');
  // close() is bounded by the grace period; this is the backstop should anything still hang.
  setTimeout(() => {
    log.error('shutdown overran its grace period: exiting');
    process.exit(1);
  }, config.WORKER_SHUTDOWN_GRACE_MS + 2000).unref();
  // the HTTP port answers (healthz 503) while the jobs in hand finish
  running.close().then(() => http.then((h) => h.close())).then(
    () => {
      log.info('worker stopped');
      process.exit(0);
    },
    (err: unknown) => {
      log.error({ err }, 'worker shutdown failed');
      process.exit(1);
    },
  );
}
onStopRequest(log, shutdown);
