import { afterAll, beforeAll, expect } from 'vitest';
import { Redis } from 'ioredis';
import { createStreamerClient, createViewerClient, type StreamerClient, type ViewerClient } from '@stickyroom/sdk';
import { TokenService } from '../../core/src/identity/tokens.js';
import { TEST_JWT_SECRET, TEST_WEBHOOK_SECRET } from './app.js';
import { runTs, startServerProcess, type RunningProcess } from './process.js';
import { freePort, PrivateRedis } from './redis-server.js';
import { uniquePrefix } from './redis.js';

export interface SplitViewer {
  id: string;
  node: 'A' | 'B';
  client: ViewerClient;
  rejoined: number;
}

/**
 * Two server node processes (A survives, B is the one a test SIGKILLs and starts again on its port) and a
 * worker process, on a private redis-server; registered as the file's beforeAll/afterAll.
 */
export class NodeKillRig {
  direct!: Redis;
  prefix = '';
  nodeA!: RunningProcess & { url: string };
  nodeB!: RunningProcess & { url: string };
  readonly tokens = new TokenService(TEST_JWT_SECRET);
  private redis: PrivateRedis | undefined;
  private env: Record<string, string> = {};
  private portB = 0;
  private readonly processes: RunningProcess[] = [];
  private readonly clients: { close(): void }[] = [];

  constructor(tag: string) {
    beforeAll(async () => {
      this.redis = await PrivateRedis.start();
      this.direct = new Redis(this.redis.url, { maxRetriesPerRequest: 1 });
      this.prefix = uniquePrefix(tag);
      this.portB = await freePort();
      // a killed node's announcement and rewards are delivered again once their leases pass: 3 s here, not 30 s
      this.env = {
        NODE_ENV: 'test',
        REDIS_URL: this.redis.url,
        REDIS_PREFIX: this.prefix,
        JWT_SECRET: TEST_JWT_SECRET,
        WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        DELIVERY_LEASE_MS: '3000',
      };
      const worker = runTs('worker/src/main.ts', this.env);
      this.processes.push(worker);
      [this.nodeA, this.nodeB] = await Promise.all([startServerProcess(this.env), startServerProcess({ ...this.env, PORT: String(this.portB) })]);
      this.processes.push(this.nodeA, this.nodeB);
      await worker.waitFor(/stickyroom worker running/);
    }, 120_000);
    afterAll(async () => {
      for (const c of this.clients) c.close();
      for (const p of this.processes) await p.stop('SIGKILL');
      this.direct?.disconnect();
      await this.redis?.remove();
    });
  }

  async restartB(): Promise<void> {
    this.nodeB = await startServerProcess({ ...this.env, PORT: String(this.portB) });
    this.processes.push(this.nodeB);
  }

  /**
   * A live stream of `brandId` with its streamer connected to node B and `perNode` viewers joined on each
   * node; `viewerOf` makes each viewer's record and subscribes it before it connects (so nothing it is told is missed).
   */
  async liveStreamOnBothNodes<V extends SplitViewer>(
    tag: string,
    brandId: string,
    perNode: number,
    viewerOf: (base: SplitViewer, i: number) => V,
  ): Promise<{ streamId: string; host: StreamerClient; viewers: V[] }> {
    const hostToken = await this.tokens.sign({ sub: `host-${tag}`, role: 'streamer', brandId }, '1h');
    const api = (path: string, body?: unknown) =>
      fetch(this.nodeA.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${hostToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const streamId = ((await (await api('/api/streams', { title: tag })).json()) as { id: string }).id;
    expect((await api(`/api/streams/${streamId}/start`)).status).toBe(200);
    const fast = { transports: ['websocket' as const], heartbeats: false, ackTimeoutMs: 3000, reconnect: { minDelayMs: 100, maxDelayMs: 400 } };
    const host = createStreamerClient({ url: this.nodeB.url, token: hostToken, ...fast });
    this.clients.push(host);
    await host.connect();
    await host.join(streamId);

    const viewers = await Promise.all(
      Array.from({ length: perNode * 2 }, async (_, i): Promise<V> => {
        const node = i % 2 === 0 ? 'A' : 'B';
        const id = `${tag}-v${i}`;
        const client = createViewerClient({ url: node === 'A' ? this.nodeA.url : this.nodeB.url, token: await this.tokens.sign({ sub: id, role: 'viewer' }, '1h'), ...fast });
        this.clients.push(client);
        const v = viewerOf({ id, node, client, rejoined: 0 }, i);
        client.on('rejoined', () => v.rejoined++);
        await client.connect();
        await client.join(streamId);
        return v;
      }),
    );
    return { streamId, host, viewers };
  }
}
