import type { Feature } from '../types.js';
import { chatHandlers } from './chat.handlers.js';
import { chatRoutes } from './chat.routes.js';
import { chatFanout, chatJoinPart, refuseBannedJoin } from '../../../../core/src/chat/chat.service.js';

export const chatFeature: Feature = {
  name: 'chat',
  handlers: chatHandlers,
  routes: chatRoutes,
  beforeJoin: refuseBannedJoin,
  onJoin: (ctx, stream, user, { lastMessageId }) => chatJoinPart(ctx, stream, user, lastMessageId),
  start: (ctx) => () => chatFanout(ctx).close(),
};
