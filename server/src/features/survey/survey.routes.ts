import type { Router } from 'express';
import { z } from 'zod';
import { StreamId, SurveySettingsInput } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { configureSurvey, surveyCsv, surveyExport } from '../../../../core/src/survey/survey.service.js';

const READERS = ['brand', 'streamer', 'moderator', 'admin'] as const;
const Params = { id: StreamId };

export function surveyRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'put',
      path: '/streams/:id/survey',
      summary: "Set the stream's post-stream survey (before it ends): enabled, question, minWatchMin, windowHours",
      tags: ['survey'],
      params: Params,
      body: SurveySettingsInput,
      roles: READERS,
    },
    async ({ user, params, body }) => ({ body: { survey: await configureSurvey(ctx, user, { ...body, streamId: params.id }) } }),
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/streams/:id/survey',
      summary: "The stream's survey: NPS figures and every answer with its comment (JSON; ?format=csv for CSV)",
      tags: ['survey'],
      params: Params,
      query: z.object({ format: z.enum(['json', 'csv']).default('json') }),
      roles: READERS,
    },
    async ({ user, params, query }): Promise<{ body: unknown; contentType?: string; headers: Record<string, string> }> => {
      const e = await surveyExport(ctx, user, params.id);
      if (query.format === 'json') return { body: e, headers: { 'cache-control': 'no-store' } };
      return {
        body: surveyCsv(e),
        contentType: 'text/csv; charset=utf-8',
        headers: { 'content-disposition': `attachment; filename="stream-${params.id}-survey.csv"`, 'cache-control': 'no-store' },
      };
    },
  );
}
