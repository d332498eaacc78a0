import express, { type NextFunction, type Request, type Response } from 'express';
import cors from 'cors';
import type { AppContext } from '../context.js';
import { AppError, HTTP_STATUS, OUTAGE_RETRY_AFTER_MS, toAckError } from '../errors.js';
import type { Feature } from '../features/types.js';
import type { Metrics } from '../metrics.js';
import { dashboardRouter } from '../features/summary/index.js';
import { openApiRoutes } from './openapi.js';

export interface RawBodyRequest extends Request {
  rawBody?: Buffer;
}

export function createHttpApp(ctx: AppContext, features: readonly Feature[], metrics: Metrics): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (ctx.config.TRUST_PROXY) app.set('trust proxy', true);
  app.use(cors({ origin: [...ctx.config.CORS_ORIGINS] }));
  // Keep the raw bytes: the order webhook's signature is over them, not over re-serialized JSON.
  app.use(
    express.json({
      limit: '64kb',
      verify: (req, _res, buf) => {
        (req as RawBodyRequest).rawBody = Buffer.from(buf);
      },
    }),
  );

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
  app.get('/metrics', (_req, res) => {
    metrics.registry.metrics().then((text) => res.type(metrics.registry.contentType).send(text), () => res.status(500).end());
  });

  app.use(dashboardRouter());

  const api = express.Router();
  for (const f of features) f.routes?.(api, ctx);
  openApiRoutes(api, ctx);
  api.use((req, _res, next) => next(new AppError('not_found', `no route ${req.method} ${req.path}`)));
  app.use('/api', api);

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const body = bodyParserError(err) ?? toAckError(err);
    if (body.internal) ctx.log.error({ err }, 'http request failed');
    else if (body.outage) ctx.log.debug({ err: (err as Error).message }, 'answered unavailable: Redis unreachable');
    if (body.error.retryAfterMs !== undefined) res.set('Retry-After', String(Math.ceil(body.error.retryAfterMs / 1000)));
    res.status(HTTP_STATUS[body.error.code]).json({ error: body.error });
  });
  return app;
}

function bodyParserError(err: unknown): ReturnType<typeof toAckError> | undefined {
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed') return { error: { code: 'invalid_payload', message: 'body is not valid JSON' }, internal: false, outage: false };
  if (type === 'entity.too.large') return { error: { code: 'invalid_payload', message: 'body too large' }, internal: false, outage: false };
  return undefined;
}
