import type { Feature } from '../types.js';
import { couponHandlers } from './coupons.handlers.js';

/** Coupon drops: drop, claim, end. */
export const couponsFeature: Feature = {
  name: 'coupons',
  handlers: couponHandlers,
};
