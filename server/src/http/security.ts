import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { AppError } from '../../../core/src/errors.js';
import { metricsRequestAllowed } from '../../../core/src/metrics.js';

/** One year; no includeSubDomains: this service does not speak for the operator's other hosts. */
const HSTS_MAX_AGE_SEC = 365 * 24 * 3600;

/**
 * The headers every response starts with (helmet), set for an API that answers JSON: no framing, no
 * sniffing, no referrer, a CSP that lets nothing load. A page replaces the CSP with its own (the dashboard
 * sets a nonce-based one) and a static asset meant for other sites widens CORP (`staticAssetHeaders`).
 *
 * HSTS goes only on responses to requests that came over HTTPS as Express sees it (`req.secure`): TLS on
 * this socket, or, with TRUST_PROXY, a proxy saying `X-Forwarded-Proto: https`. Over plain HTTP browsers
 * ignore it anyway, and a node reached directly over HTTP must not tell anyone it is HTTPS-only.
 */
export function securityHeaders(): RequestHandler[] {
  const hsts = helmet.strictTransportSecurity({ maxAge: HSTS_MAX_AGE_SEC, includeSubDomains: false });
  return [
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: false,
      // same-origin by default: an API answer is not something another site may embed; assets opt out
      crossOriginResourcePolicy: { policy: 'same-origin' },
    }),
    (req: Request, res: Response, next: NextFunction) => (req.secure ? hsts(req, res, next) : next()),
  ];
}

/**
 * For a static asset that other sites load (the SDK bundle a shop page includes with `<script src>`):
 * CORP `cross-origin`, or the browser refuses it under the default `same-origin`. Apply per route:
 * `router.get('/sdk/stickyroom.js', staticAssetHeaders(), send)`.
 */
export function staticAssetHeaders(opts: { maxAgeSec?: number } = {}): RequestHandler {
  const cache = `public, max-age=${opts.maxAgeSec ?? 300}`;
  return (_req, res, next) => {
    res.setHeader('cross-origin-resource-policy', 'cross-origin');
    res.setHeader('cache-control', cache);
    next();
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares two secrets in time that depends on neither (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** `/metrics` behind `Authorization: Bearer <METRICS_TOKEN>` when a token is configured; open otherwise. */
export function metricsAuth(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (metricsRequestAllowed(req.headers.authorization, token)) return next();
    res.setHeader('www-authenticate', 'Bearer realm="metrics"');
    next(new AppError('unauthorized', 'missing or wrong Authorization: Bearer <METRICS_TOKEN>'));
  };
}
