import { z } from 'zod';

/** Every error code an ack or an HTTP error body can carry. */
export const ERROR_CODES = [
  'unauthorized',
  'forbidden',
  'invalid_payload',
  'unknown_event',
  'not_found',
  'not_live',
  'rate_limited',
  'muted',
  'banned',
  'already_done',
  'sold_out',
  'closed',
  'not_eligible',
  'conflict',
  'unavailable',
  'unsupported_protocol',
  'internal',
] as const;

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
