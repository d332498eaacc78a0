import { randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so codes read aloud and typed by hand survive. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A unique, unguessable coupon code: 60 random bits as `XXXX-XXXX-XXXX`. 32 divides 256, so taking
 * 5 bits of each random byte is unbiased.
 */
export function newCouponCode(): string {
  const bytes = randomBytes(12);
  let s = '';
  for (let i = 0; i < 12; i++) {
    if (i > 0 && i % 4 === 0) s += '-';
    s += ALPHABET[bytes[i]! & 31];
  }
  return s;
}

/** What a code was issued for, stored with it in the stream's slot. */
export interface CouponRecord {
  code: string;
  streamId: string;
  brandId: string;
  viewerId: string;
  /** The drop it was claimed from, for drop coupons. */
  dropId?: string;
  /** The reward it was issued for, for reward coupons. */
  source?: 'quiz' | 'question' | 'lottery';
  sourceId?: string;
  title: string;
  discount: { type: 'percent' | 'amount'; value: number };
  at: number;
}
