import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createStreamerClient, createViewerClient, type StreamerClient, type ViewerClient } from '@stickyroom/sdk';
import type { QuizResult } from '@stickyroom/sdk/protocol';
import { TokenService } from '../../core/src/identity/tokens.js';
import { Keys } from '../../core/src/redis/keys.js';
import { quizKeys } from '../../core/src/quiz/quiz.keys.js';
import { outboxKeys } from '../../core/src/outbox/outbox.keys.js';
import { TEST_JWT_SECRET, TEST_WEBHOOK_SECRET } from '../helpers/app.js';
import { runTs, startServerProcess, type RunningProcess } from '../helpers/process.js';
import { freePort, PrivateRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/redis.js';

/**
 * Issue 8: a server node PROCESS is SIGKILLed while a quiz closes and started again on its port. Node A
 * survives, a worker process runs the scheduled close and the outbox sweep. Every viewer of the stream, on
 * A and on B (who reconnect), sees `quiz:result` exactly once, with the stored result; each correct viewer
 * is credited the quiz's points once. Without the join ack's `quizResult` (told by the SDK after the
 * rejoin), B's viewers would never see the result when the push went out while B was down.
 */
const BRAND = 'brand-quiz-kill';
const PER_NODE = 6;
const POINTS = 7;
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
  prefix = uniquePrefix('quizkill');
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
  right: boolean;
  results: (QuizResult & { announcementId?: string })[];
  rejoined: number;
}

/** A live stream with viewers on both nodes who answered a quiz (every other one right); the streamer is on node B. */
async function quizWithViewers(tag: string): Promise<{ streamId: string; quizId: string; host: StreamerClient; viewers: Viewer[] }> {
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
      const v: Viewer = { id, node, client, right: i % 4 < 2, results: [], rejoined: 0 };
      client.on('quiz:result', (r) => v.results.push(r));
      client.on('rejoined', () => v.rejoined++);
      await client.connect();
      await client.join(streamId);
      return v;
    }),
  );
  const { quiz } = await host.createQuiz(streamId, {
    question: 'Which bag sold out first?',
    options: ['tote', 'clutch', 'backpack'],
    correctOption: 1,
    durationSec: 5,
    reward: { points: POINTS },
  });
  await Promise.all(viewers.map((v) => v.client.answerQuiz(quiz.id, v.right ? 1 : 0)));
  return { streamId, quizId: quiz.id, host, viewers };
}

/** The result as stored, read straight from Redis. */
async function storedResult(streamId: string, quizId: string): Promise<QuizResult | null> {
  const raw = await direct.hget(quizKeys(new Keys(prefix), streamId).quiz(quizId), 'result');
  return raw ? (JSON.parse(raw) as QuizResult) : null;
}

async function expectEveryViewerSawItOnce(streamId: string, quizId: string, viewers: Viewer[]): Promise<void> {
  // The outbox entry was delivered and removed: by the node that closed the quiz, or by the worker's sweep.
  // A node killed while delivering holds the entry's lease (30 s) until it expires; the sweep then delivers
  // it again, a repeat every viewer's SDK must drop.
  await expect.poll(() => direct.hlen(outboxKeys(new Keys(prefix), streamId).entries), { timeout: DELIVERED_WITHIN_MS, interval: 100 }).toBe(0);
  await expect.poll(() => viewers.filter((v) => v.results.length === 0).map((v) => v.id), { timeout: 20_000, interval: 50 }).toEqual([]);
  // B's viewers have reconnected and joined again; a repeat of the push (or the ack) would have come by now
  await expect.poll(() => viewers.filter((v) => v.node === 'B' && v.rejoined === 0).map((v) => v.id), { timeout: 20_000, interval: 50 }).toEqual([]);
  const result = await storedResult(streamId, quizId);
  expect(result).toMatchObject({ quizId, correctOption: 1, answers: viewers.length, correct: viewers.filter((v) => v.right).length });
  for (const v of viewers) {
    expect(v.results.map((r) => r.quizId), v.id).toEqual([quizId]);
    expect(v.results[0], v.id).toEqual({ ...result, announcementId: `quiz.result-${quizId}` });
  }
  // the rewards were credited once: a right answer is worth the quiz's points, once
  for (const v of viewers) expect((await v.client.points(BRAND)).balance, v.id).toBe(v.right ? POINTS : 0);
}

describe('a server node killed while a quiz closes', () => {
  it("the push goes out while node B is down: B's viewers see the result once they are back, A's viewers once", { timeout: 120_000 }, async () => {
    const { streamId, quizId, host, viewers } = await quizWithViewers('down');
    const closing = host.closeQuiz(quizId).then(
      () => 'acked',
      (err: { code?: string }) => err.code ?? 'error',
    );
    await nodeB.stop('SIGKILL');
    // closed by node B before it died, or by the worker's scheduled close; announced to A's viewers meanwhile
    await expect.poll(() => storedResult(streamId, quizId), { timeout: 20_000, interval: 100 }).not.toBeNull();
    await expect.poll(() => viewers.filter((v) => v.node === 'A' && v.results.length === 0).length, { timeout: DELIVERED_WITHIN_MS, interval: 50 }).toBe(0);
    expect(viewers.filter((v) => v.node === 'B').every((v) => v.client.state !== 'connected')).toBe(true);
    expect(await closing).not.toBe('acked');

    await restartB();
    await expectEveryViewerSawItOnce(streamId, quizId, viewers);
    for (const c of [host, ...viewers.map((v) => v.client)]) c.close();
  });

  it('node B dies right after its push went out: nobody sees the result twice after reconnecting', { timeout: 120_000 }, async () => {
    const { streamId, quizId, host, viewers } = await quizWithViewers('after');
    const firstOnA = new Promise<void>((resolve) => {
      for (const v of viewers) if (v.node === 'A') v.client.on('quiz:result', () => resolve());
    });
    void host.closeQuiz(quizId).catch(() => undefined);
    await firstOnA;
    await nodeB.stop('SIGKILL');
    await restartB();
    await expectEveryViewerSawItOnce(streamId, quizId, viewers);
    for (const c of [host, ...viewers.map((v) => v.client)]) c.close();
  });
});
