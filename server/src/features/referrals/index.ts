import type { Feature } from '../types.js';
import { referralHandlers } from './referrals.handlers.js';
import { referralRoutes } from './referrals.routes.js';

/** Word of mouth: a viewer's share link (`referral:link`); the credit itself rides on `room:join { ref }`; the brand's report. */
export const referralsFeature: Feature = {
  name: 'referrals',
  handlers: referralHandlers,
  routes: referralRoutes,
};
