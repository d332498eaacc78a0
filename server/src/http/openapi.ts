import type { Router } from 'express';
import { z } from 'zod';
import { SIGNATURE_HEADER } from './webhook-signature.js';
import { defineRoute, JSON_BODY_LIMIT, routeRegistry, type RouteSpec } from './route.js';

type Spec = (typeof routeRegistry)[number];
type JsonSchema = Record<string, unknown>;

/**
 * The schema a caller must send (`input`: before defaults and trimming) or receives (`output`). Transforms
 * have no JSON Schema form: they document as their input side, or `{}` where nothing else is known.
 */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Express `/streams/:id/summary.csv` -> OpenAPI `/api/streams/{id}/summary.csv`. */
export const openApiPath = (expressPath: string): string => '/api' + expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function operationId(spec: Spec): string {
  const words = spec.path
    .split(/[/.]/)
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? `by-${w.slice(1)}` : w))
    .flatMap((w) => w.split(/[-_]/))
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return spec.method + words.join('');
}

function parameters(spec: Spec): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [name, schema] of Object.entries(spec.params ?? {})) {
    out.push({ name, in: 'path', required: true, schema: jsonSchema(schema, 'input') });
  }
  if (spec.query) {
    const q = jsonSchema(spec.query, 'input');
    const required = new Set((q.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((q.properties as Record<string, JsonSchema> | undefined) ?? {})) {
      out.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  return out;
}

const errorRef = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function responses(spec: Spec): JsonSchema {
  const ok: JsonSchema = { description: 'Success' };
  // A route may answer both (the brand report: JSON, or CSV with ?format=csv).
  const content: JsonSchema = {};
  if (spec.response) content['application/json'] = { schema: jsonSchema(spec.response, 'output') };
  if (spec.produces) content[spec.produces] = { schema: { type: 'string' } };
  if (Object.keys(content).length > 0) ok.content = content;
  // The success status is not part of a route spec: GET answers 200, a POST may answer 200 or 201.
  const out: JsonSchema = { [spec.method === 'get' ? '200' : '2XX']: ok };
  if (spec.params || spec.query || spec.body) out['400'] = errorRef('Invalid parameters, query or body (`invalid_payload`)');
  if (spec.body) out['413'] = errorRef(`Body larger than ${JSON_BODY_LIMIT} (\`invalid_payload\`, reason \`too_large\`)`);
  if (signed(spec)) out['401'] = errorRef('Missing or bad signature (`unauthorized`), checked before the body is parsed');
  if (spec.auth !== false) {
    out['401'] = errorRef('Missing, malformed or expired token (`unauthorized`)');
    out['403'] = errorRef('Role or brand not allowed (`forbidden`)');
  }
  if (spec.params) out['404'] = errorRef('No such resource (`not_found`)');
  if (spec.method !== 'get') out['409'] = errorRef('Conflicts with the current state (`not_live`, `closed`, `already_done`, ...)');
  out['503'] = errorRef('Storage unreachable for the moment (`unavailable`)');
  out['500'] = errorRef('Internal error (`internal`)');
  return out;
}

/** Routes authenticated by a body signature instead of a bearer token. */
const signed = (spec: Spec) => spec.signatureHeader !== undefined;

function operation(spec: Spec): JsonSchema {
  const op: JsonSchema = { operationId: operationId(spec), summary: spec.summary, tags: spec.tags ?? [] };
  if (spec.roles) {
    op.description = `Roles: ${spec.roles.join(', ')}.`;
    op['x-roles'] = [...spec.roles];
  }
  const params = parameters(spec);
  if (params.length) op.parameters = params;
  if (spec.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
  op.responses = responses(spec);
  op.security = signed(spec) ? [{ webhookSignature: [] }] : spec.auth === false ? [] : [{ bearerAuth: [] }];
  return op;
}

/** Routes outside `defineRoute` (no token, not under /api). */
const plainRoutes: Record<string, JsonSchema> = {
  '/healthz': { get: { operationId: 'getHealthz', summary: 'Liveness: the process answers', tags: ['operations'], security: [], responses: { '200': { description: 'Alive' } } } },
  '/readyz': {
    get: {
      operationId: 'getReadyz',
      summary: 'Readiness: Redis answers',
      tags: ['operations'],
      security: [],
      responses: { '200': { description: 'Ready' }, '503': errorRef('Redis unreachable (`unavailable`)') },
    },
  },
  '/metrics': {
    get: {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      description: 'Needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set (always in production).',
      tags: ['operations'],
      security: [{ metricsToken: [] }, {}],
      responses: {
        '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
        '401': errorRef('METRICS_TOKEN is set and the bearer token is missing or wrong (`unauthorized`)'),
      },
    },
  },
};

/** OpenAPI 3.1 of every route registered with `defineRoute`, generated from the same zod schemas that validate them. */
export function openApiDocument(routes: readonly Spec[] = routeRegistry): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of routes) (paths[openApiPath(spec.path)] ??= {})[spec.method] = operation(spec);
  return {
    openapi: '3.1.0',
    info: {
      title: 'stickyroom HTTP API',
      version: '0.1.0',
      description: 'Streams, post-stream summaries, viewer scores and the order webhook. The realtime protocol is Socket.IO (docs/protocol.md).',
    },
    paths: { ...paths, ...plainRoutes },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'The operator\'s METRICS_TOKEN (not a JWT)' },
        webhookSignature: {
          type: 'apiKey',
          in: 'header',
          name: SIGNATURE_HEADER,
          description: '`sha256=<hex HMAC-SHA256 of the raw request body with WEBHOOK_SECRET>`',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, retryAfterMs: { type: 'integer' }, reason: { type: 'string' } },
            },
          },
        },
      },
    },
  };
}

const OpenApiDoc = z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) });

/** `GET /api/openapi.json`, itself in the document. Built per request: every feature has registered its routes by then. */
export function openApiRoutes(router: Router): void {
  const spec: RouteSpec<undefined, undefined, undefined> = {
    method: 'get',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tags: ['meta'],
    auth: false,
    response: OpenApiDoc,
  };
  defineRoute(router, spec, async () => ({ body: openApiDocument() }));
}
