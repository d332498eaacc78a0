import { createApp, type App } from '../../server/src/app.js';
import { loadConfig, type Config } from '../../core/src/config.js';
import type { Clock } from '../../core/src/clock.js';
import type { DomainFeature } from '../../core/src/feature.js';
import { createLogger, type Logger } from '../../core/src/logger.js';
import { TokenService } from '../../core/src/identity/tokens.js';
import {
  createStreamerClient,
  createViewerClient,
  type ClientOptions,
  type Role,
  type StreamerClient,
  type ViewerClient,
} from '@stickyroom/sdk';
import { TestClock } from './clock.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from './redis.js';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef';
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

export interface TestApp {
  app: App;
  config: Config;
  clock: TestClock;
  url: string;
  prefix: string;
  tokens: TokenService;
  token(role: Role, sub: string, extra?: { brandId?: string; name?: string; expiresIn?: number | string }): Promise<string>;
  viewer(sub: string, opts?: Partial<ClientOptions> & { name?: string }): Promise<ViewerClient>;
  /** A connected viewer that has joined `streamId`. */
  joinedViewer(streamId: string, sub: string, opts?: Partial<ClientOptions> & { name?: string }): Promise<ViewerClient>;
  /** The chat texts a viewer joining now receives (read by a fresh viewer that leaves again). */
  chatTexts(streamId: string): Promise<string[]>;
  streamer(sub: string, brandId?: string, opts?: Partial<ClientOptions> & { role?: 'streamer' | 'moderator' | 'admin'; name?: string }): Promise<StreamerClient>;
  /** Creates a stream over HTTP as a streamer of `brandId` and returns its id. */
  createStream(title?: string, brandId?: string, opts?: { start?: boolean }): Promise<string>;
  http(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * The whole server in this process on a free port, over the real Redis with a private key prefix and a
 * clock the test controls. Clients are real socket.io-client connections through the SDK.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: {
    clock?: Clock;
    redisUrl?: string;
    /** A Redis Cluster's nodes (`host:port,...`, see redis-cluster.ts) instead of the Redis at `redisUrl`; its owner removes it. */
    redisCluster?: string;
    /** The server's logger (silent by default): cluster tests read its lines for redirection errors. */
    log?: Logger;
    domain?: readonly DomainFeature[];
  } = {},
): Promise<TestApp> {
  // two apps given the same REDIS_PREFIX are two nodes of one deployment
  const prefix = env.REDIS_PREFIX ?? uniquePrefix();
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    JWT_SECRET: TEST_JWT_SECRET,
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(options.redisCluster ? { REDIS_CLUSTER_NODES: options.redisCluster } : {}),
    ...env,
  });
  const clock = (options.clock as TestClock | undefined) ?? new TestClock();
  const app = createApp({ config, clock, log: options.log ?? createLogger(config.LOG_LEVEL, 'test'), ...(options.domain ? { domain: options.domain } : {}) });
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const tokens = new TokenService(TEST_JWT_SECRET);
  const clients: { close(): void }[] = [];
  let readers = 0;

  const token: TestApp['token'] = (role, sub, extra = {}) =>
    tokens.sign(
      { sub, role, ...(extra.brandId ? { brandId: extra.brandId } : role !== 'viewer' && role !== 'admin' ? { brandId: 'brand-a' } : {}), ...(extra.name ? { name: extra.name } : {}) },
      extra.expiresIn ?? '1h',
    );

  const t: TestApp = {
    app,
    config,
    clock,
    url,
    prefix,
    tokens,
    token,
    async viewer(sub, opts = {}) {
      const c = createViewerClient({ url, token: await token('viewer', sub, opts.name ? { name: opts.name } : {}), transports: ['websocket'], heartbeats: false, ...opts });
      clients.push(c);
      return c.connect();
    },
    async joinedViewer(streamId, sub, opts = {}) {
      const v = await t.viewer(sub, opts);
      await v.join(streamId);
      return v;
    },
    async chatTexts(streamId) {
      const v = await t.viewer(`chat-reader-${++readers}`);
      const { chat } = await v.join(streamId);
      v.close();
      return chat.map((m) => m.text);
    },
    async streamer(sub, brandId = 'brand-a', opts = {}) {
      const c = createStreamerClient({ url, token: await token(opts.role ?? 'streamer', sub, { brandId, ...(opts.name ? { name: opts.name } : {}) }), transports: ['websocket'], ...opts });
      clients.push(c);
      return c.connect();
    },
    async createStream(title = 'Test stream', brandId = 'brand-a', opts = {}) {
      const res = await t.http('POST', '/api/streams', { token: await token('streamer', `host-${brandId}`, { brandId }), body: { title } });
      if (res.status !== 201) throw new Error(`createStream: ${res.status} ${res.text}`);
      const id = res.body.id as string;
      if (opts.start) {
        const started = await t.http('POST', `/api/streams/${id}/start`, { token: await token('streamer', `host-${brandId}`, { brandId }) });
        if (started.status !== 200) throw new Error(`start: ${started.status} ${started.text}`);
      }
      return id;
    },
    async http(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined = opts.raw;
      if (body === undefined && opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed as any, text, headers: res.headers };
    },
    async close() {
      for (const c of clients) c.close();
      await app.close();
      if (!options.redisCluster) await dropPrefix(prefix, options.redisUrl).catch(() => undefined);
    },
  };
  return t;
}
