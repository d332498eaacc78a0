import { defineHandler, VIEWER } from '../../io/handler.js';
import { referralLink } from '../../../../core/src/referrals/referrals.service.js';

export const referralHandlers = [
  defineHandler('referral:link', { roles: VIEWER }, ({ ctx, user, socket }, { streamId }) => {
    const origin = socket.handshake.headers.origin;
    return referralLink(ctx, user, streamId, typeof origin === 'string' ? origin : undefined);
  }),
];
