import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../core/src/config.js';
import type { Logger } from '../../core/src/logger.js';
import { METRICS_CONTENT_TYPE, metricsRequestAllowed, renderMetrics } from '../../core/src/metrics.js';
import type { RunningWorker } from './worker.js';

export interface WorkerHttp {
  port: number;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The worker's HTTP port (WORKER_HTTP_PORT, WORKER_HTTP_HOST): `GET /metrics` under the server's
 * METRICS_TOKEN rule, and `GET /healthz`, 200 while every Redis connection of the worker is ready and its
 * BullMQ worker runs, 503 otherwise (the compose healthcheck calls it). Nothing else is served.
 */
export function serveWorkerHttp(running: RunningWorker, config: Config, log: Logger, port = config.WORKER_HTTP_PORT, host = config.WORKER_HTTP_HOST): Promise<WorkerHttp> {
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: { code: 'not_found', message: 'GET only' } }, { allow: 'GET, HEAD' });
    if (path === '/healthz') {
      const health = running.health();
      return json(res, health.ok ? 200 : 503, health);
    }
    if (path === '/metrics') {
      if (!metricsRequestAllowed(req.headers.authorization, config.METRICS_TOKEN)) {
        return json(res, 401, { error: { code: 'unauthorized', message: 'missing or wrong Authorization: Bearer <METRICS_TOKEN>' } }, { 'www-authenticate': 'Bearer realm="metrics"' });
      }
      renderMetrics(running.metrics.registry).then(
        (text) => {
          res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
          res.end(text);
        },
        (err: unknown) => {
          log.warn({ err }, 'could not render /metrics');
          json(res, 500, { error: { code: 'internal', message: 'internal error' } });
        },
      );
      return;
    }
    json(res, 404, { error: { code: 'not_found', message: `no route ${req.method} ${path}` } });
  };
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      log.error({ err }, 'worker http request failed');
      if (!res.headersSent) json(res, 500, { error: { code: 'internal', message: 'internal error' } });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
