import type { DomainFeature } from '../feature.js';
import { chatFanout, chatJoinPart, refuseBannedJoin } from './chat.service.js';

/** Chat: a ban refuses the join; the join ack carries the history (or what was missed) and the pin. */
export const chatHooks: DomainFeature = {
  name: 'chat',
  beforeJoin: refuseBannedJoin,
  onJoin: (ctx, stream, user, { lastMessageId }) => chatJoinPart(ctx, stream, user, lastMessageId),
  start: (ctx) => () => chatFanout(ctx).close(),
};
