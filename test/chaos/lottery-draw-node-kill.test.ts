import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createStreamerClient, createViewerClient, type StreamerClient, type ViewerClient } from '@stickyroom/sdk';
import type { LotteryDrawn } from '@stickyroom/sdk/protocol';
import { TokenService } from '../../core/src/identity/tokens.js';
import { Keys } from '../../core/src/redis/keys.js';
import { activityKeys } from '../../core/src/activity/activity.keys.js';
import { lotteryKeys } from '../../core/src/lottery/lottery.keys.js';
import { outboxKeys } from '../../core/src/outbox/outbox.keys.js';
import { TEST_JWT_SECRET, TEST_WEBHOOK_SECRET } from '../helpers/app.js';
import { runTs, startServerProcess, type RunningProcess } from '../helpers/process.js';
import { freePort, PrivateRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/redis.js';

/**
 * Issue 8: a server node PROCESS is SIGKILLed in the middle of a lottery draw and started again on its
 * port. Node A survives, a worker process runs the scheduled draw and the outbox sweep. Every viewer of the
 * stream, on A and on B (who reconnect), sees `lottery:drawn` exactly once, with the stored winners; the
 * draw is stored once and its winners counted once. Without the SDK telling a drawn result found in its
 * rejoin ack, B's viewers would never see it when the push went out while B was down.
 */
const BRAND = 'brand-draw';
const PER_NODE = 6;
const WINNERS = 3;
/** The outbox lease (30 s) of a node killed mid-delivery, then a sweep (every 5 s), with some slack. */
const DELIVERED_WITHIN_MS = 45_000;

const processes: RunningProcess[] = [];
const clients: { close(): void }[] = [];
let redis: PrivateRedis | undefined;
let direct: Redis;
let prefix: string;
let env: Record<string, string>;
let portB: number;
let nodeA: RunningProcess & { url: string };
let nodeB: RunningProcess & { url: string };
const tokens = new TokenService(TEST_JWT_SECRET);

beforeAll(async () => {
  redis = await PrivateRedis.start();
  direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  prefix = uniquePrefix('drawkill');
  portB = await freePort();
  env = { NODE_ENV: 'test', REDIS_URL: redis.url, REDIS_PREFIX: prefix, JWT_SECRET: TEST_JWT_SECRET, WEBHOOK_SECRET: TEST_WEBHOOK_SECRET };
  const worker = runTs('worker/src/main.ts', env);
  processes.push(worker);
  [nodeA, nodeB] = await Promise.all([startServerProcess(env), startServerProcess({ ...env, PORT: String(portB) })]);
  processes.push(nodeA, nodeB);
  await worker.waitFor(/stickyroom worker running/);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const p of processes) await p.stop('SIGKILL');
  direct?.disconnect();
  await redis?.remove();
});

async function restartB(): Promise<void> {
  nodeB = await startServerProcess({ ...env, PORT: String(portB) });
  processes.push(nodeB);
}

interface Viewer {
  id: string;
  node: 'A' | 'B';
  client: ViewerClient;
  drawn: (LotteryDrawn & { announcementId?: string })[];
  rejoined: number;
}

/** A live stream with viewers on both nodes who entered a lottery; the streamer is connected to node B. */
async function lotteryWithViewers(tag: string): Promise<{ streamId: string; lotteryId: string; host: StreamerClient; viewers: Viewer[] }> {
  const hostToken = await tokens.sign({ sub: `host-${tag}`, role: 'streamer', brandId: BRAND }, '1h');
  const api = (path: string, body?: unknown) =>
    fetch(nodeA.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${hostToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const streamId = ((await (await api('/api/streams', { title: tag })).json()) as { id: string }).id;
  expect((await api(`/api/streams/${streamId}/start`)).status).toBe(200);
  const fast = { transports: ['websocket' as const], heartbeats: false, ackTimeoutMs: 3000, reconnect: { minDelayMs: 100, maxDelayMs: 400 } };
  const host = createStreamerClient({ url: nodeB.url, token: hostToken, ...fast });
  clients.push(host);
  await host.connect();
  await host.join(streamId);

  const viewers = await Promise.all(
    Array.from({ length: PER_NODE * 2 }, async (_, i): Promise<Viewer> => {
      const node = i % 2 === 0 ? 'A' : 'B';
      const id = `${tag}-v${i}`;
      const client = createViewerClient({ url: node === 'A' ? nodeA.url : nodeB.url, token: await tokens.sign({ sub: id, role: 'viewer' }, '1h'), ...fast });
      clients.push(client);
      const v: Viewer = { id, node, client, drawn: [], rejoined: 0 };
      client.on('lottery:drawn', (r) => v.drawn.push(r));
      client.on('rejoined', () => v.rejoined++);
      await client.connect();
      await client.join(streamId);
      return v;
    }),
  );
  const { lottery } = await host.createLottery(streamId, { prize: 'a bag', winners: WINNERS, durationSec: 3 });
  for (const v of viewers) await v.client.enterLottery(lottery.id);
  return { streamId, lotteryId: lottery.id, host, viewers };
}

/** The result as stored, read straight from Redis. */
async function storedResult(streamId: string, lotteryId: string): Promise<LotteryDrawn | null> {
  const raw = await direct.hget(lotteryKeys(new Keys(prefix), streamId).meta(lotteryId), 'result');
  return raw ? (JSON.parse(raw) as LotteryDrawn) : null;
}

async function expectEveryViewerSawItOnce(streamId: string, lotteryId: string, viewers: Viewer[]): Promise<void> {
  const keys = new Keys(prefix);
  // The outbox entry was delivered and removed: by the node that drew, or by the worker's sweep. A node
  // killed while delivering holds the entry's lease (30 s) until it expires; the sweep then delivers it
  // again, a repeat every viewer's SDK must drop.
  await expect.poll(() => direct.hlen(outboxKeys(keys, streamId).entries), { timeout: DELIVERED_WITHIN_MS, interval: 100 }).toBe(0);
  await expect.poll(() => viewers.filter((v) => v.drawn.length === 0).map((v) => v.id), { timeout: 20_000, interval: 50 }).toEqual([]);
  // B's viewers have reconnected and joined again; a repeat of the push (or the ack) would have come by now
  await expect.poll(() => viewers.filter((v) => v.node === 'B' && v.rejoined === 0).map((v) => v.id), { timeout: 20_000, interval: 50 }).toEqual([]);
  const result = await storedResult(streamId, lotteryId);
  expect(result?.winners).toHaveLength(WINNERS);
  for (const v of viewers) {
    expect(v.drawn.map((d) => d.lotteryId), v.id).toEqual([lotteryId]);
    expect(v.drawn[0]!.winners, v.id).toEqual(result!.winners);
    expect(v.drawn[0]!.announcementId, v.id).toBe(`lottery.drawn-${lotteryId}`);
  }
  // the draw was counted once: one lottery win per winner in the ledger
  expect(Number(await direct.hget(activityKeys(keys, streamId).totals, 'lotteryWins'))).toBe(WINNERS);
}

describe('a server node killed in the middle of a lottery draw', () => {
  it('the push goes out while node B is down: B\'s viewers see the result once they are back, A\'s viewers once', { timeout: 120_000 }, async () => {
    const { streamId, lotteryId, host, viewers } = await lotteryWithViewers('down');
    const drawing = host.drawLottery(lotteryId).then(
      () => 'acked',
      (err: { code?: string }) => err.code ?? 'error',
    );
    await nodeB.stop('SIGKILL');
    // drawn by node B before it died, or by the worker's scheduled draw; announced to A's viewers meanwhile
    await expect.poll(() => storedResult(streamId, lotteryId), { timeout: 20_000, interval: 100 }).not.toBeNull();
    await expect.poll(() => viewers.filter((v) => v.node === 'A' && v.drawn.length === 0).length, { timeout: DELIVERED_WITHIN_MS, interval: 50 }).toBe(0);
    expect(viewers.filter((v) => v.node === 'B').every((v) => v.client.state !== 'connected')).toBe(true);
    expect(await drawing).not.toBe('acked');

    await restartB();
    await expectEveryViewerSawItOnce(streamId, lotteryId, viewers);
    for (const c of [host, ...viewers.map((v) => v.client)]) c.close();
  });

  it('node B dies right after its push went out: nobody sees the result twice after reconnecting', { timeout: 120_000 }, async () => {
    const { streamId, lotteryId, host, viewers } = await lotteryWithViewers('after');
    const firstOnA = new Promise<void>((resolve) => {
      for (const v of viewers) if (v.node === 'A') v.client.on('lottery:drawn', () => resolve());
    });
    void host.drawLottery(lotteryId).catch(() => undefined);
    await firstOnA;
    await nodeB.stop('SIGKILL');
    await restartB();
    await expectEveryViewerSawItOnce(streamId, lotteryId, viewers);
    for (const c of [host, ...viewers.map((v) => v.client)]) c.close();
  });
});
