import { defineHandler, VIEWER } from '../../io/handler.js';
import { referralLink } from '../../../../core/src/referrals/referrals.service.js';

export const referralHandlers = [
  // a share link is asked for from the room: the viewer must have joined the stream
  defineHandler('referral:link', { roles: VIEWER }, ({ ctx, user, socket, requireJoined }, { streamId }) => {
    requireJoined(streamId);
    const origin = socket.handshake.headers.origin;
    return referralLink(ctx, user, streamId, typeof origin === 'string' ? origin : undefined);
  }),
];
