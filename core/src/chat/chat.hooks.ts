import { joinHook, type DomainFeature } from '../feature.js';
import { chatFanout, chatJoinPart, chatJoinView, refuseBannedJoin } from './chat.service.js';

/** Chat: a ban refuses the join; the join ack carries the history (or what was missed) and the pin. */
export const chatHooks: DomainFeature = {
  name: 'chat',
  beforeJoin: refuseBannedJoin,
  join: joinHook({
    shared: chatJoinView,
    part: (ctx, stream, _user, { lastMessageId }, view) => chatJoinPart(ctx, stream, view, lastMessageId),
  }),
  start: (ctx) => () => chatFanout(ctx).close(),
};
