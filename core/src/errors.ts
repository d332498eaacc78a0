import { z } from 'zod';
import type { AckError, ErrorCode } from '@stickyroom/sdk/protocol';
import { isRedisUnavailable } from './redis/outage.js';

export type { ErrorCode };

/**
 * A refusal we mean to send to the caller. Anything else that is thrown becomes `internal`.
 *
 * A refusal is an answer, not a fault: it is built without a stack trace (its `stack` is its first line
 * only). In a flash sale 90% of the claims are refused (`sold_out`), and walking the stack of each was 2.5%
 * of the server's CPU in a claim burst (docs/benchmarks-history.md, claims) for a trace nobody reads: toAckError
 * sends the code and the message, and logs nothing of an AppError.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { retryAfterMs?: number; reason?: string; claimed?: number } = {},
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
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
  insufficient_points: 409,
  closed: 409,
  not_eligible: 403,
  conflict: 409,
  unavailable: 503,
  unsupported_protocol: 400,
  internal: 500,
};

/** How much of a refusal reaches the caller: a few issues, each clipped, then a count (issue 7, item 9). */
const SHOWN_ISSUES = 3;
const ISSUE_CHARS = 120;
const MESSAGE_CHARS = 300;

/** Cuts `s` to at most `max` characters, never inside a surrogate pair, marking the cut with `…`. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/**
 * A zod refusal in a few hundred characters at most, whatever the payload: a 16 kB object with a
 * thousand unknown keys must not come back as a 160 kB list of them.
 */
export function describeZodError(err: z.ZodError): string {
  const shown = err.issues.slice(0, SHOWN_ISSUES).map((i) => {
    const path = i.path.map((p) => clip(String(p), 40)).join('.');
    return clip(path ? `${path}: ${i.message}` : i.message, ISSUE_CHARS);
  });
  const more = err.issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/** How soon a caller may retry while Redis is unreachable (the clients reconnect about once a second). */
export const OUTAGE_RETRY_AFTER_MS = 1000;

/**
 * Maps anything thrown to the wire error. `internal` (a bug: log it, hide the detail) and `outage` (Redis
 * unreachable: `unavailable` with `retryAfterMs`; the Redis client logs the outage once, not each call).
 */
export function toAckError(err: unknown): { error: AckError; internal: boolean; outage: boolean } {
  if (err instanceof AppError) {
    const error: AckError = { code: err.code, message: clip(err.message, MESSAGE_CHARS) };
    if (err.details.retryAfterMs !== undefined) error.retryAfterMs = err.details.retryAfterMs;
    if (err.details.reason !== undefined) error.reason = err.details.reason;
    if (err.details.claimed !== undefined) error.claimed = err.details.claimed;
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
