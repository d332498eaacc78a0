import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Metrics } from '../metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route label of a request: the mount point and the pattern of the route that answered
 * (`/api/streams/:id`), never the raw path; `unmatched` when no route took it (a 404, a CORS preflight).
 * The mount point is kept as the request passes it: once a route passes an error on, Express has already
 * restored `req.baseUrl`.
 */
export function routeLabel(req: Request, res: Response): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern !== 'string') return 'unmatched';
  return `${(res.locals.routeBase as string | undefined) ?? req.baseUrl}${pattern}`;
}

/** Counts and times every HTTP request by method, route pattern and status. Mounted first. */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.on('finish', () => {
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      const route = routeLabel(req, res);
      metrics.httpRequests.inc({ method, route, status: String(res.statusCode) });
      metrics.httpSeconds.observe({ method, route }, (performance.now() - started) / 1000);
    });
    next();
  };
}

/** Notes the mount point (`/api`) of the routers below it, for `routeLabel`. */
export function routeBase(base: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.routeBase = base;
    next();
  };
}

/** The outcome label of an order webhook answer that did not note one itself (a refusal), by status. */
export function webhookRefusal(status: number): string {
  if (status === 401) return 'bad_signature';
  if (status === 400 || status === 422) return 'invalid_payload';
  if (status === 413) return 'too_large';
  if (status === 415) return 'unsupported_encoding';
  if (status === 503) return 'unavailable';
  if (status === 409) return 'conflict';
  if (status >= 500) return 'error';
  return 'refused';
}

/**
 * Counts the order webhook's deliveries by outcome once answered: `accepted` / `duplicate` as the route
 * notes them (`res.locals.webhookOutcome`), a refusal by its status. Mounted before the route's first step.
 */
export function webhookMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    // mounted at the webhook's path: only a POST to exactly that path is a delivery
    if (req.method !== 'POST' || (req.path !== '/' && req.path !== '')) return next();
    res.on('finish', () => {
      const noted = res.locals.webhookOutcome as string | undefined;
      metrics.webhooks.inc({ outcome: res.statusCode < 300 && noted ? noted : webhookRefusal(res.statusCode) });
    });
    next();
  };
}
