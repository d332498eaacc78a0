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
});
export type AckError = z.infer<typeof AckError>;

export type AckOk<T> = { ok: true } & T;
export type AckFail = { ok: false; error: AckError };
export type Ack<T> = AckOk<T> | AckFail;
