import { z } from 'zod';
import { ERROR_CODES } from './constants.js';

export { ERROR_CODES };

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const AckError = z.object({
  code: ErrorCode,
  message: z.string(),
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** Machine-readable detail, e.g. which eligibility rule refused a lottery entry. */
  reason: z.string().optional(),
  /**
   * `sold_out` of `coupon:claim`: how many of the drop were claimed (all of it), as the `coupon:ended` push
   * would say. The ack stands for that push: the server leaves the socket out of it, and the SDK tells its
   * app `coupon:ended` itself (docs/protocol.md, coupons).
   */
  claimed: z.number().int().nonnegative().optional(),
});
export type AckError = z.infer<typeof AckError>;

export type AckOk<T> = { ok: true } & T;
export type AckFail = { ok: false; error: AckError };
export type Ack<T> = AckOk<T> | AckFail;
