import { z } from 'zod';
import type { AckError, ErrorCode } from '@stickyroom/sdk/protocol';

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

/** Maps anything thrown to the wire error; `internal` hides the detail. */
export function toAckError(err: unknown): { error: AckError; internal: boolean } {
  if (err instanceof AppError) {
    const error: AckError = { code: err.code, message: err.message };
    if (err.details.retryAfterMs !== undefined) error.retryAfterMs = err.details.retryAfterMs;
    if (err.details.reason !== undefined) error.reason = err.details.reason;
    return { error, internal: false };
  }
  if (err instanceof z.ZodError) {
    return { error: { code: 'invalid_payload', message: describeZodError(err) }, internal: false };
  }
  if (isRedisUnavailable(err)) {
    return { error: { code: 'unavailable', message: 'storage is unavailable, try again shortly', retryAfterMs: 1000 }, internal: true };
  }
  return { error: { code: 'internal', message: 'internal error' }, internal: true };
}

function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return /Connection is closed|ECONNREFUSED|ECONNRESET|Stream isn't writeable|enableOfflineQueue|maxRetriesPerRequest|LOADING/i.test(
    err.message,
  );
}
