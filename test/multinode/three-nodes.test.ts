import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createStreamerClient, createViewerClient, type StreamerClient, type ViewerClient } from '@stickyroom/sdk';
import { QUEUE } from '../../core/src/jobs/queues.js';
import { Keys } from '../../core/src/redis/keys.js';
import { startNodeProcesses, type NodeProcesses } from '../helpers/two-nodes.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';

/**
 * Issue 10, many nodes: three server node processes and two worker processes on loopback, behind a loopback
 * load balancer, sharing rooms through the sharded adapter.
 */
const BRAND = 'brand-mn';
let n: NodeProcesses;
let redis: Redis;
let queue: Queue;
const clients: { close(): void }[] = [];

beforeAll(async () => {
  n = await startNodeProcesses({ servers: 3, workers: 2, env: { NODE_ENV: 'test', CHAT_RATE_LIMIT: '1000', CHAT_RATE_WINDOW_SEC: '10', CHAT_TICK_MS: '20' } });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  queue = new Queue(QUEUE, { connection: redis, prefix: new Keys(n.prefix).bullPrefix });
}, 180_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await queue?.close();
  redis?.disconnect();
  await n?.close();
});

async function viewer(url: string, sub: string): Promise<ViewerClient> {
  const c = createViewerClient({ url, token: await n.tokens.sign({ sub, role: 'viewer' }, '1h'), transports: ['websocket'], heartbeats: false });
  clients.push(c);
  return c.connect();
}
async function streamer(node: number, sub: string): Promise<StreamerClient> {
  const c = createStreamerClient({ url: n.nodes[node]!.url, token: await n.tokens.sign({ sub, role: 'streamer', brandId: BRAND }, '1h'), transports: ['websocket'] });
  clients.push(c);
  return c.connect();
}
async function liveStream(): Promise<string> {
  const url = n.nodes[0]!.url;
  const headers = { authorization: `Bearer ${await n.tokens.sign({ sub: 'host', role: 'streamer', brandId: BRAND }, '1h')}`, 'content-type': 'application/json' };
  const created = await fetch(`${url}/api/streams`, { method: 'POST', headers, body: JSON.stringify({ title: 'Three nodes' }) });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await fetch(`${url}/api/streams/${id}/start`, { method: 'POST', headers })).status).toBe(200);
  return id;
}
/** `perNode` viewers joined on each of the three nodes, connected to the nodes directly. */
async function spread(streamId: string, perNode: number, tag: string): Promise<ViewerClient[]> {
  const out: ViewerClient[] = [];
  for (let i = 0; i < n.nodes.length; i++) {
    for (let k = 0; k < perNode; k++) {
      const v = await viewer(n.nodes[i]!.url, `${tag}-${i}-${k}`);
      await v.join(streamId);
      out.push(v);
    }
  }
  return out;
}

/** Per viewer and sender, the sequence numbers received (texts `<sender>#<n>`). */
function recordChat(v: ViewerClient, streamId: string): Map<string, number[]> {
  const got = new Map<string, number[]>();
  v.on('chat:message', (m) => {
    if (m.streamId !== streamId) return;
    const [sender, seq] = m.text.split('#');
    if (!sender || seq === undefined) return;
    got.set(sender, [...(got.get(sender) ?? []), Number(seq)]);
  });
  return got;
}
/** Deliveries, duplicates and gaps of one viewer's record against 1..total per sender. */
function tally(got: Map<string, number[]>, senders: string[], total: number) {
  let deliveries = 0;
  let duplicates = 0;
  let gaps = 0;
  let outOfOrder = 0;
  for (const s of senders) {
    const seqs = got.get(s) ?? [];
    deliveries += seqs.length;
    duplicates += seqs.length - new Set(seqs).size;
    gaps += total - new Set(seqs).size;
    for (let i = 1; i < seqs.length; i++) if (seqs[i]! <= seqs[i - 1]!) outOfOrder++;
  }
  return { deliveries, duplicates, gaps, outOfOrder };
}
function sum(tallies: ReturnType<typeof tally>[]) {
  return tallies.reduce((a, t) => ({ deliveries: a.deliveries + t.deliveries, duplicates: a.duplicates + t.duplicates, gaps: a.gaps + t.gaps, outOfOrder: a.outOfOrder + t.outOfOrder }));
}
async function sendAll(sender: ViewerClient, streamId: string, name: string, total: number, onSent?: (i: number) => Promise<void> | void): Promise<void> {
  for (let i = 1; i <= total; i++) {
    await sender.chat(streamId, `${name}#${i}`);
    await onSent?.(i);
  }
}

describe('three server nodes and two workers', () => {
  it('deliver chat to every viewer exactly once, in order per sender, wherever viewer and sender are', async () => {
    const id = await liveStream();
    const viewers = await spread(id, 4, 'chat');
    const records = viewers.map((v) => recordChat(v, id));
    const senders = [0, 1, 2].map((i) => `s${i}`);
    const senderClients = await Promise.all(senders.map(async (s, i) => {
      const c = await viewer(n.nodes[i]!.url, s);
      await c.join(id);
      return c;
    }));
    const TOTAL = 30;
    await Promise.all(senderClients.map((c, i) => sendAll(c, id, senders[i]!, TOTAL)));
    await expect.poll(() => records.every((r) => tally(r, senders, TOTAL).deliveries >= senders.length * TOTAL), { timeout: 20_000, interval: 100 }).toBe(true);
    const tallies = records.map((r) => tally(r, senders, TOTAL));
    console.info(`chat over three nodes: ${JSON.stringify(sum(tallies))} for ${viewers.length} viewers x ${senders.length * TOTAL} messages`);
    expect(tallies.every((t) => t.deliveries === senders.length * TOTAL)).toBe(true);
    expect(tallies.reduce((a, t) => a + t.duplicates + t.gaps + t.outOfOrder, 0)).toBe(0);
  });

  it('keep a claim burst across the nodes exact: never more codes than the quantity, one per viewer', async () => {
    const id = await liveStream();
    const host = await streamer(0, 'host');
    const viewers = await spread(id, 10, 'claim');
    const { drop } = await host.dropCoupon(id, { title: 'Ten', discount: { type: 'percent', value: 10 }, quantity: 10, durationSec: 300 });
    const results = await Promise.all(viewers.map((v) => v.claimCoupon(drop.id).then((r) => r.code, (e: { code?: string }) => e.code ?? 'error')));
    const codes = results.filter((r) => !['sold_out', 'already_done'].includes(r));
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(results.filter((r) => r === 'sold_out')).toHaveLength(viewers.length - 10);
  });

  it('draw a lottery and close a quiz once when streamers on every node and the workers race', async () => {
    const id = await liveStream();
    const hosts = await Promise.all([0, 1, 2].map((i) => streamer(i, `host-${i}`)));
    const viewers = await spread(id, 2, 'race');
    const drawn = viewers.map(() => ({ n: 0 }));
    const results = viewers.map(() => ({ n: 0 }));
    viewers.forEach((v, i) => {
      v.on('lottery:drawn', () => drawn[i]!.n++);
      v.on('quiz:result', () => results[i]!.n++);
    });
    const { lottery } = await hosts[0]!.createLottery(id, { prize: 'Race', winners: 1, durationSec: 600 });
    for (const v of viewers) await v.enterLottery(lottery.id);
    const { quiz } = await hosts[1]!.createQuiz(id, { question: 'Race?', options: ['a', 'b'], correctOption: 0, durationSec: 600, reward: { points: 1 } });
    for (const v of viewers) await v.answerQuiz(quiz.id, 0);
    const drawJob = await queue.getJob(`lottery.draw-${lottery.id}`);
    const closeJob = await queue.getJob(`quiz.close-${quiz.id}`);
    const answers = await Promise.all([
      ...hosts.map((h) => h.drawLottery(lottery.id)),
      ...hosts.map((h) => h.closeQuiz(quiz.id).catch((e: { code?: string }) => e.code)),
      drawJob?.promote(),
      closeJob?.promote(),
    ]);
    const draws = answers.slice(0, 3) as { result: unknown }[];
    expect(draws[1]!.result).toEqual(draws[0]!.result);
    expect(draws[2]!.result).toEqual(draws[0]!.result);
    await expect.poll(() => drawn.every((d) => d.n >= 1) && results.every((r) => r.n >= 1), { timeout: 20_000, interval: 100 }).toBe(true);
    // a push sent after both: once every viewer has it, anything sent before it has arrived too
    const marker = viewers.map((v) => v.once('chat:message', (m) => m.text === 'after the race#1'));
    const after = await viewer(n.nodes[2]!.url, 'after');
    await after.join(id);
    await after.chat(id, 'after the race#1');
    await Promise.all(marker);
    expect(drawn.map((d) => d.n)).toEqual(viewers.map(() => 1));
    expect(results.map((r) => r.n)).toEqual(viewers.map(() => 1));
  });

  it('deliver a push sent by a job (a quiz closed on time by a worker) to viewers on all three nodes', async () => {
    const id = await liveStream();
    const host = await streamer(2, 'host-job');
    const viewers = await spread(id, 2, 'job');
    const got = viewers.map((v) => v.once('quiz:result', () => true, 20_000));
    await host.createQuiz(id, { question: 'On time?', options: ['yes', 'no'], correctOption: 0, durationSec: 1, reward: { points: 1 } });
    await Promise.all(got);
  });

  it('moves the viewers of a SIGKILLed node to the others through the load balancer, and chat resumes with no gap and no duplicate', async () => {
    const id = await liveStream();
    // through the balancer: round robin puts viewer k on node k % 3
    const viewers: ViewerClient[] = [];
    for (let k = 0; k < 9; k++) {
      const v = await viewer(n.lb.url, `kill-${k}`);
      await v.join(id);
      viewers.push(v);
    }
    const records = viewers.map((v) => recordChat(v, id));
    // the senders sit on the nodes that stay up
    const senders = ['k1', 'k2'];
    const senderClients = await Promise.all([1, 2].map(async (i) => {
      const c = await viewer(n.nodes[i]!.url, senders[i - 1]!);
      await c.join(id);
      return c;
    }));
    const TOTAL = 40;
    const victim = n.nodes[0]!;
    let killed: Promise<unknown> | undefined;
    await Promise.all(
      senderClients.map((c, i) =>
        sendAll(c, id, senders[i]!, TOTAL, async (sent) => {
          if (sent === 10 && i === 0) killed = victim.stop('SIGKILL');
          if (sent === 20) await killed;
        }),
      ),
    );
    // wait for every delivery; if some never come, the assertions below name what each viewer is missing
    const complete = () => records.every((r) => tally(r, senders, TOTAL).deliveries >= senders.length * TOTAL);
    await expect.poll(complete, { timeout: 60_000, interval: 200 }).toBe(true).catch(() => undefined);
    const missing = records.map((r) => senders.flatMap((s) => Array.from({ length: TOTAL }, (_, i) => i + 1).filter((q) => !(r.get(s) ?? []).includes(q)).map((q) => `${s}#${q}`)));
    expect(missing).toEqual(viewers.map(() => []));
    const tallies = records.map((r) => tally(r, senders, TOTAL));
    console.info(`chat across a SIGKILLed node: ${JSON.stringify(sum(tallies))} for ${viewers.length} viewers x ${senders.length * TOTAL} messages`);
    // the killed node's viewers reconnected to the two others
    expect(n.lb.routed.get(n.nodes[1]!.port)! + n.lb.routed.get(n.nodes[2]!.port)!).toBeGreaterThanOrEqual(9);
    expect(tallies.map((t) => t.deliveries)).toEqual(viewers.map(() => senders.length * TOTAL));
    expect(tallies.reduce((a, t) => a + t.duplicates + t.gaps + t.outOfOrder, 0)).toBe(0);
  }, 120_000);
});
