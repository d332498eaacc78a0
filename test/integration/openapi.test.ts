import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { routeRegistry } from '../../server/src/http/route.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let doc: any;
beforeAll(async () => {
  t = await startTestApp();
  const res = await t.http('GET', '/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(async () => {
  await t.close();
});

const docPath = (expressPath: string) => '/api' + expressPath.replace(/:(\w+)/g, '{$1}');
const shapeKeys = (schema: z.ZodType | undefined): string[] => (schema instanceof z.ZodObject ? Object.keys(schema.shape).sort() : []);

describe('OpenAPI document at /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document served without a token', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('lists every route defined with defineRoute, and nothing under /api that is not one', () => {
    expect(routeRegistry.length).toBeGreaterThan(5);
    const defined = routeRegistry.map((r) => `${r.method} ${docPath(r.path)}`).sort();
    const listed = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([p]) => p.startsWith('/api/'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
      .sort();
    expect(listed).toEqual(defined);
  });

  it('documents each route\'s path parameters, query and body from its zod schemas', () => {
    for (const r of routeRegistry) {
      const op = doc.paths[docPath(r.path)][r.method];
      const where = `${r.method} ${r.path}`;
      const params = (op.parameters ?? []) as { name: string; in: string; required: boolean; schema: any }[];
      expect(params.filter((p) => p.in === 'path').map((p) => p.name).sort(), where).toEqual(Object.keys(r.params ?? {}).sort());
      for (const p of params.filter((x) => x.in === 'path')) {
        expect(p.required, where).toBe(true);
        expect(p.schema.type, where).toBe('string');
      }
      expect(params.filter((p) => p.in === 'query').map((p) => p.name).sort(), where).toEqual(shapeKeys(r.query));
      if (r.body) {
        const schema = op.requestBody.content['application/json'].schema;
        expect(op.requestBody.required, where).toBe(true);
        if (r.body instanceof z.ZodObject) expect(Object.keys(schema.properties ?? {}).sort(), where).toEqual(shapeKeys(r.body));
      } else {
        expect(op.requestBody, where).toBeUndefined();
      }
      const security = r.path === '/webhooks/orders' ? [{ webhookSignature: [] }] : r.auth === false ? [] : [{ bearerAuth: [] }];
      expect(op.security, where).toEqual(security);
      expect(op.summary, where).toBe(r.summary);
    }
  });

  it('documents the order webhook\'s signature header', () => {
    expect(doc.components.securitySchemes.webhookSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-stickyroom-signature' });
    const body = doc.paths['/api/webhooks/orders'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['orderId', 'viewerId', 'amount', 'currency']));
  });

  it('describes the stream creation body as the server validates it, brandId for admins included', () => {
    const body = doc.paths['/api/streams'].post.requestBody.content['application/json'].schema;
    expect(body.type).toBe('object');
    expect(body.required).toEqual(['title']);
    expect(body.properties.title.type).toBe('string');
    expect(body.properties.brandId).toMatchObject({ type: 'string', pattern: expect.any(String), description: expect.stringContaining('admin') });
    expect(body.additionalProperties).toBe(false);
    expect(doc.paths['/api/streams'].post['x-roles']).toEqual(['streamer', 'admin']);
  });

  it('documents the summary JSON with its fixed figure names, and the CSV as text/csv', () => {
    const summary = doc.paths['/api/streams/{id}/summary'].get;
    const props = summary.responses['200'].content['application/json'].schema.properties;
    for (const name of ['uniqueViewers', 'peakConcurrent', 'avgWatchSec', 'chatMessages', 'likes', 'quizAnswers', 'lotteryEntries', 'couponClaims', 'orders', 'revenue', 'engagementRate', 'timeline']) {
      expect(props, name).toHaveProperty(name);
    }
    expect(summary.responses['403'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(Object.keys(doc.paths['/api/streams/{id}/summary.csv'].get.responses['200'].content)).toEqual(['text/csv']);
  });

  it('documents the brand report: its query, the JSON with its figure names, and the CSV tables', () => {
    const report = doc.paths['/api/brands/{brandId}/report'].get;
    expect(report.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:brandId', 'query:from', 'query:to', 'query:format', 'query:table']);
    const content = report.responses['200'].content;
    expect(Object.keys(content)).toEqual(['application/json', 'text/csv']);
    const props = content['application/json'].schema.properties;
    for (const name of ['brandId', 'from', 'to', 'streams', 'period', 'cohorts', 'migration', 'mechanics']) expect(props, name).toHaveProperty(name);
    const stream = props.streams.items.properties;
    for (const name of ['returningRate', 'churnRate', 'newBuyers', 'uvValue', 'clickToOrderRate', 'postStreamOrders', 'flags']) expect(stream, name).toHaveProperty(name);
    expect(report.responses['400']).toBeDefined();
  });

  it('documents the order webhook\'s 401 (signature) and every body route\'s 413', () => {
    const op = doc.paths['/api/webhooks/orders'].post;
    expect(op.responses['401'].description).toMatch(/before the body is parsed/);
    expect(op.responses['413'].description).toMatch(/too_large/);
  });

  it('lists the operational endpoints too, /metrics behind its own bearer token', () => {
    for (const p of ['/healthz', '/readyz', '/metrics']) expect(doc.paths[p].get.operationId).toBeTruthy();
    expect(doc.components.securitySchemes.metricsToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/metrics'].get.security).toEqual([{ metricsToken: [] }, {}]);
    expect(doc.paths['/metrics'].get.responses['401']).toBeDefined();
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
