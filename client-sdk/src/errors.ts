import type { AckError, ErrorCode } from './protocol/errors.js';

/** A request the server refused (or that timed out: code `timeout`, or the connection was lost: `disconnected`). */
export class StickyroomError extends Error {
  readonly code: ErrorCode | 'timeout' | 'disconnected';
  readonly retryAfterMs: number | undefined;
  readonly reason: string | undefined;
  /** `sold_out` of a coupon claim: the drop's claimed count (see AckError). */
  readonly claimed: number | undefined;

  constructor(code: ErrorCode | 'timeout' | 'disconnected', message: string, extra: Partial<AckError> = {}) {
    super(message);
    this.name = 'StickyroomError';
    this.code = code;
    this.retryAfterMs = extra.retryAfterMs;
    this.reason = extra.reason;
    this.claimed = extra.claimed;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
