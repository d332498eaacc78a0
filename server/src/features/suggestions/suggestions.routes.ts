import type { Router } from 'express';
import { StreamSuggestions, SuggestionsParams } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { suggestionsFor } from '../../../../core/src/suggestions/suggestions.service.js';
import { defineRoute } from '../../http/route.js';

export function suggestionsRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'get',
      path: '/streams/:id/suggestions',
      summary: "What to pin next (tonight's viewers' clicks and purchases in the brand's earlier streams) and which segments are over- or under-represented tonight",
      tags: ['suggestions'],
      params: SuggestionsParams,
      roles: ['streamer', 'moderator', 'brand', 'admin'],
      response: StreamSuggestions,
    },
    async ({ user, params }) => ({ body: await suggestionsFor(ctx, user, params.id), headers: { 'cache-control': 'no-store' } }),
  );
}
