import { z } from 'zod';
import type { AckError, ErrorCode } from '@stickyroom/sdk/protocol';
import { isRedisUnavailable } from './redis/outage.js';

export type { ErrorCode };

/** A refusal we mean to send to the caller. Anything else that is thrown becomes `internal`. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { retryAfterMs?: number; reason?: string } = {},
  ) {
    super(message);
    this.name = this.constructor.name;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  invalid_payload: 400,
  unknown_event: 400,
  not_found: 404,
  not_live: 409,
  rate_limited: 429,
  muted: 403,
  banned: 403,
  already_done: 409,
  sold_out: 409,
  closed: 409,
  not_eligible: 403,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** How soon a caller may retry while Redis is unreachable (the clients reconnect about once a second). */
export const OUTAGE_RETRY_AFTER_MS = 1000;

/**
 * Maps anything thrown to the wire error. `internal` (a bug: log it, hide the detail) and `outage` (Redis
 * unreachable: `unavailable` with `retryAfterMs`; the Redis client logs the outage once, not each call).
 */
export function toAckError(err: unknown): { error: AckError; internal: boolean; outage: boolean } {
  if (err instanceof AppError) {
    const error: AckError = { code: err.code, message: err.message };
    if (err.details.retryAfterMs !== undefined) error.retryAfterMs = err.details.retryAfterMs;
    if (err.details.reason !== undefined) error.reason = err.details.reason;
    return { error, internal: false, outage: false };
  }
  if (err instanceof z.ZodError) {
    return { error: { code: 'invalid_payload', message: describeZodError(err) }, internal: false, outage: false };
  }
  if (isRedisUnavailable(err)) {
    return {
      error: { code: 'unavailable', message: 'storage is unavailable, try again shortly', retryAfterMs: OUTAGE_RETRY_AFTER_MS },
      internal: false,
      outage: true,
    };
  }
  return { error: { code: 'internal', message: 'internal error' }, internal: true, outage: false };
}
