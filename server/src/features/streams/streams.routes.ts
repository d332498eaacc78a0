import type { Router } from 'express';
import { CreateStreamBody, ListStreamsQuery, Stream, StreamId, StreamList } from '@stickyroom/sdk/protocol';
import type { AppContext } from '../../../../core/src/context.js';
import { defineRoute } from '../../http/route.js';
import { listStreams } from '../../../../core/src/streams/streams.list.js';
import { createStream, endStream, getStream, startStream } from '../../../../core/src/streams/streams.service.js';

const STAFF = ['streamer', 'admin'] as const;

export function streamRoutes(router: Router, ctx: AppContext): void {
  defineRoute(
    router,
    {
      method: 'post',
      path: '/streams',
      summary: "Create a stream (scheduled) of the streamer's brand, or of the brand an admin names in brandId",
      tags: ['streams'],
      body: CreateStreamBody,
      roles: STAFF,
      response: Stream,
    },
    async ({ user, body }) => ({ status: 201, body: await createStream(ctx, user, body) }),
  );
  defineRoute(
    router,
    {
      method: 'get',
      path: '/streams',
      summary: "The brand's streams, newest first (staff and brand team of the brand; an admin names brandId)",
      tags: ['streams'],
      query: ListStreamsQuery,
      roles: ['streamer', 'moderator', 'brand', 'admin'],
      response: StreamList,
    },
    async ({ user, query }) => ({ body: await listStreams(ctx, user, query), headers: { 'cache-control': 'no-store' } }),
  );
  defineRoute(
    router,
    { method: 'get', path: '/streams/:id', summary: 'Read a stream', tags: ['streams'], params: { id: StreamId }, response: Stream },
    async ({ params }) => ({ body: await getStream(ctx, params.id) }),
  );
  defineRoute(
    router,
    { method: 'post', path: '/streams/:id/start', summary: 'Start a stream', tags: ['streams'], params: { id: StreamId }, roles: STAFF, response: Stream },
    async ({ user, params }) => ({ body: await startStream(ctx, user, params.id) }),
  );
  defineRoute(
    router,
    { method: 'post', path: '/streams/:id/end', summary: 'End a stream', tags: ['streams'], params: { id: StreamId }, roles: STAFF, response: Stream },
    async ({ user, params }) => ({ body: await endStream(ctx, user, params.id) }),
  );
}
