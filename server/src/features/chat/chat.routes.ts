import type { Router } from 'express';
import { ModerationLog, ModerationLogQuery, StreamId } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { moderationLog } from '../../../../core/src/chat/chat.moderation.js';

export function chatRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'get',
      path: '/streams/:id/moderation',
      summary: "A stream's chat moderation log (who did what to whom, when), newest first",
      tags: ['chat'],
      params: { id: StreamId },
      query: ModerationLogQuery,
      roles: ['brand', 'streamer', 'moderator', 'admin'],
      response: ModerationLog,
    },
    async ({ user, params, query }) => ({ body: await moderationLog(ctx, user, params.id, query.offset, query.limit) }),
  );
}
