import express, { type NextFunction, type Request, type Response } from 'express';
import cors from 'cors';
import type { AckError } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../core/src/context.js';
import { AppError, HTTP_STATUS, OUTAGE_RETRY_AFTER_MS, toAckError } from '../../../core/src/errors.js';
import type { TokenService } from '../../../core/src/identity/tokens.js';
import type { Feature } from '../features/types.js';
import type { Metrics } from '../metrics.js';
import { openApiRoutes } from './openapi.js';
import { JSON_BODY_LIMIT, type TokenRequest } from './route.js';
import { httpMetrics, routeBase, webhookMetrics } from './metrics.js';
import { metricsAuth, securityHeaders } from './security.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../../../core/src/metrics.js';
import { webRouter } from './web.js';

export interface HttpOptions {
  tokens: TokenService;
  features: readonly Feature[];
  metrics: Metrics;
}

export function createHttpApp(ctx: AppContext, { tokens, features, metrics }: HttpOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(httpMetrics(metrics));
  app.use('/api', routeBase('/api'));
  app.use('/api/webhooks/orders', webhookMetrics(metrics));
  // Routes authenticate with this server's tokens (defineRoute reads it); the domain context holds none.
  app.use((req, _res, next) => {
    (req as TokenRequest).verifyToken = (token) => tokens.verify(token);
    next();
  });
  if (ctx.config.TRUST_PROXY) app.set('trust proxy', true);
  app.use(securityHeaders());
  app.use(cors({ origin: [...ctx.config.CORS_ORIGINS] }));
  // Routes that check a signature over the raw bytes (the order webhook) read their body themselves,
  // before anything parses it: an unsigned body is refused whatever it holds.
  const rawBodyApi = express.Router();
  for (const f of features) f.rawBodyRoutes?.(rawBodyApi, ctx);
  app.use('/api', rawBodyApi);
  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  // Ready while Redis answers. A client that is reconnecting answers 503 at once rather than after its
  // offline queue gives up on the PING, so a load balancer hears it within its probe timeout.
  app.get('/readyz', (_req, res) => {
    const down = () =>
      res
        .status(503)
        .set('Retry-After', String(Math.ceil(OUTAGE_RETRY_AFTER_MS / 1000)))
        .json({ ok: false, redis: 'down', error: { code: 'unavailable', message: 'redis unreachable', retryAfterMs: OUTAGE_RETRY_AFTER_MS } });
    if (ctx.redis.status !== 'ready') return void down();
    ctx.redis.ping().then(() => res.json({ ok: true, redis: 'up' }), down);
  });
  app.get('/metrics', metricsAuth(ctx.config.METRICS_TOKEN), (_req, res) => {
    renderMetrics(metrics.registry).then((text) => res.type(METRICS_CONTENT_TYPE).send(text), () => res.status(500).end());
  });

  app.use(webRouter(ctx, tokens));

  const api = express.Router();
  for (const f of features) f.routes?.(api, ctx);
  openApiRoutes(api);
  app.use('/api', api);
  // anything else, under /api or not: a JSON 404 like every other error (with the headers above)
  app.use((req, _res, next) => next(new AppError('not_found', `no route ${req.method} ${req.path}`)));

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const parser = bodyParserError(err);
    if (parser) {
      res.status(parser.status).json({ error: parser.error });
      return;
    }
    const body = toAckError(err);
    if (res.headersSent) {
      // a streamed answer (an export) failed after its first byte: cut it short, never end it as if complete
      if (body.internal) ctx.log.error({ err }, 'http streamed answer failed');
      res.destroy();
      return;
    }
    if (body.internal) ctx.log.error({ err }, 'http request failed');
    else if (body.outage) ctx.log.debug({ err: (err as Error).message }, 'answered unavailable: Redis unreachable');
    if (body.error.retryAfterMs !== undefined) res.set('Retry-After', String(Math.ceil(body.error.retryAfterMs / 1000)));
    res.status(HTTP_STATUS[body.error.code]).json({ error: body.error });
  });
  return app;
}

/**
 * A body parser's refusal (not JSON, too large, an encoding or charset it does not read) as `invalid_payload`
 * with the parser's own 4xx status (413 for too large), never as a 500 with a stack.
 */
export function bodyParserError(err: unknown): { status: number; error: AckError } | undefined {
  const e = err as { type?: unknown; status?: unknown; expose?: unknown; message?: unknown; limit?: unknown } | null;
  if (typeof e?.type !== 'string' || typeof e.status !== 'number' || e.status < 400 || e.status > 499) return undefined;
  if (e.type === 'entity.parse.failed') return { status: 400, error: { code: 'invalid_payload', message: 'body is not valid JSON' } };
  if (e.type === 'entity.too.large') {
    const limit = typeof e.limit === 'number' ? `${e.limit} bytes` : 'the limit';
    return { status: 413, error: { code: 'invalid_payload', reason: 'too_large', message: `body larger than ${limit}` } };
  }
  const message = e.expose === true && typeof e.message === 'string' ? e.message.slice(0, 200) : 'unreadable body';
  return { status: e.status, error: { code: 'invalid_payload', message } };
}
