import { randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so codes read aloud and typed by hand survive. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A unique, unguessable coupon code: 60 random bits as `XXXX-XXXX-XXXX`. 32 divides 256, so taking
 * 5 bits of each random byte is unbiased.
 */
export function newCouponCode(): string {
  if (poolAt + CODE_BYTES > pool.length) {
    pool = randomBytes(POOL_CODES * CODE_BYTES);
    poolAt = 0;
  }
  let s = '';
  for (let i = 0; i < CODE_BYTES; i++) {
    if (i > 0 && i % 4 === 0) s += '-';
    s += ALPHABET[pool[poolAt + i]! & 31];
  }
  // every byte is used once
  poolAt += CODE_BYTES;
  return s;
}

const CODE_BYTES = 12;
/**
 * Codes' random bytes are drawn from the CSPRNG 128 codes at a time (as `crypto.randomUUID` buffers its
 * own), each byte used once: a claim burst made one `randomBytes` call per claim, refused ones included
 * (the code goes with the claim's one script call), and each showed in its CPU profile.
 */
const POOL_CODES = 128;
let pool = Buffer.alloc(0);
let poolAt = 0;

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
