import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createViewerClient, type ViewerClient } from '@stickyroom/sdk';
import { TokenService } from '../../core/src/identity/tokens.js';
import { NodeChild, nextMessage } from '../lib/child.js';
import { freePort, waitHttpOk } from '../lib/net.js';
import { benchPrefix, BENCH_REDIS_URL, dropPrefix, redisCpuSeconds } from '../lib/redis.js';
import { benchServerEnv } from '../lib/stickyroom.js';
import { fmt, formatTable } from '../lib/table.js';
import { AdapterNodeReply } from './adapter-protocol.js';
import type { FanoutOptions } from './options.js';
import { createLiveStream } from './targets.js';

export const ADAPTERS = ['classic', 'sharded'] as const;
export type AdapterName = (typeof ADAPTERS)[number];
/** `confined`: each room's viewers and sender on one node (rooms alternate between nodes); `spanning`: every room's viewers spread over all nodes. */
export const LAYOUTS = ['confined', 'spanning'] as const;
export type Layout = (typeof LAYOUTS)[number];

/** One adapter in one layout, over the measured window. */
export interface AdapterResult {
  adapter: AdapterName;
  layout: Layout;
  round: number;
  viewers: number;
  sentPerSec: number;
  /** Chat messages received by viewers per second, and what the sent rate asks for (sent x viewers per room). */
  deliveredPerSec: number;
  demandedPerSec: number;
  ackErrors: Record<string, number>;
  /** Per node: what its adapter's subscriber received from Redis, per second and per chat message sent. */
  inbound: { messagesPerSec: number; bytesPerSec: number; messagesPerSent: number; bytesPerSent: number }[];
  redisCpu: number;
  /** The connect phase (every viewer's own room, every room joined): sockets per second and the SSUBSCRIBEs it cost. */
  joinStorm: { sockets: number; seconds: number; socketsPerSec: number; ssubscribes: number; ssubscribesPerSec: number; redisUsecPerSsubscribe: number };
}

interface Node {
  child: NodeChild;
  url: string;
  nextId: number;
}

async function startNode(adapter: AdapterName, env: Record<string, string>, i: number): Promise<Node> {
  const port = await freePort();
  const child = new NodeChild({ name: `${adapter} node ${i}`, entry: 'bench/fanout/adapter-node.ts', env: { ...env, PORT: String(port), HOST: '127.0.0.1', SOCKET_ADAPTER: adapter } });
  const ready = nextMessage(child, (raw) => (AdapterNodeReply.safeParse(raw).data?.type === 'ready' ? true : undefined), 60_000, 'ready');
  await ready;
  const url = `http://127.0.0.1:${port}`;
  await waitHttpOk(`${url}/readyz`, 30_000, () => child.alive);
  return { child, url, nextId: 1 };
}

async function counters(node: Node): Promise<{ messages: number; bytes: number }> {
  const id = node.nextId++;
  const reply = nextMessage(node.child, (raw) => {
    const r = AdapterNodeReply.safeParse(raw).data;
    return r?.type === 'counters' && r.id === id ? r : undefined;
  }, 30_000, 'counters');
  node.child.proc.send({ type: 'counters', id });
  return reply;
}

async function commandStat(redis: Redis, command: string): Promise<{ calls: number; usec: number }> {
  const info = await redis.info('commandstats');
  const m = new RegExp(`^cmdstat_${command}:calls=(\\d+),usec=(\\d+)`, 'm').exec(info);
  return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0) };
}

/** Runs one adapter in one layout: two (or more) nodes, `rooms` live streams, a sender per room, chat at `room-rate`. */
async function measure(adapter: AdapterName, layout: Layout, round: number, opts: FanoutOptions, log: (line: string) => void): Promise<AdapterResult> {
  const prefix = benchPrefix();
  const jwtSecret = randomBytes(24).toString('hex');
  const env = {
    ...benchServerEnv({ prefix, jwtSecret }),
    CHAT_RATE_LIMIT: '1000',
    CHAT_RATE_WINDOW_SEC: '10',
    ...(opts['tick-ms'] !== undefined ? { CHAT_TICK_MS: String(opts['tick-ms']) } : {}),
  };
  const redis = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 1 });
  const nodes: Node[] = [];
  const clients: ViewerClient[] = [];
  let sending: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < opts.nodes; i++) nodes.push(await startNode(adapter, env, i));
    const streams = await Promise.all(Array.from({ length: opts.rooms }, () => createLiveStream(nodes[0]!.url, jwtSecret)));
    const tokens = new TokenService(jwtSecret);
    let delivered = 0;
    const connect = async (node: number, sub: string, streamId: string) => {
      const c = createViewerClient({ url: nodes[node]!.url, token: await tokens.sign({ sub, role: 'viewer' }, '2h'), transports: ['websocket'], heartbeats: false });
      clients.push(c);
      await c.connect();
      await c.join(streamId);
      return c;
    };
    // the connect phase is the join storm: every socket's own room and every stream room cost a SSUBSCRIBE
    const ss0 = await commandStat(redis, 'ssubscribe');
    const t0 = performance.now();
    // every socket at once: each connects, joins its room and (sharded) costs its own room's SSUBSCRIBE
    const rooms = await Promise.all(
      streams.map(async (streamId, r) => {
        const home = r % opts.nodes;
        const viewers = await Promise.all(Array.from({ length: opts['room-viewers'] }, (_, v) => connect(layout === 'confined' ? home : v % opts.nodes, `v${r}-${v}`, streamId)));
        for (const v of viewers) v.on('chat:message', () => delivered++);
        return connect(home, `sender${r}`, streamId);
      }),
    );
    const senders: ViewerClient[] = rooms;
    const stormSec = (performance.now() - t0) / 1000;
    const ss1 = await commandStat(redis, 'ssubscribe');
    const sockets = opts.rooms * (opts['room-viewers'] + 1);
    log(`${adapter}/${layout}: ${sockets} sockets in ${opts.rooms} rooms on ${opts.nodes} nodes connected in ${stormSec.toFixed(1)} s (${ss1.calls - ss0.calls} SSUBSCRIBEs)`);

    let sent = 0;
    const ackErrors: Record<string, number> = {};
    const every = 1000 / opts['room-rate'];
    let n = 0;
    sending = setInterval(() => {
      n++;
      senders.forEach((s, r) => {
        s.chat(streams[r]!, `m${n}`).then(
          () => sent++,
          (err: unknown) => {
            const code = (err as { code?: string }).code ?? 'error';
            ackErrors[code] = (ackErrors[code] ?? 0) + 1;
          },
        );
      });
    }, every);
    await sleep(opts.warmup * 1000);
    const before = { delivered, sent, nodes: await Promise.all(nodes.map(counters)), cpu: await redisCpuSeconds(redis), at: performance.now() };
    await sleep(opts.window * 1000);
    const after = { delivered, sent, nodes: await Promise.all(nodes.map(counters)), cpu: await redisCpuSeconds(redis), at: performance.now() };
    clearInterval(sending);
    sending = undefined;
    // requests still in flight when the clients close are refused then: not the adapter's doing
    const errorsBy = { ...ackErrors };
    const sec = (after.at - before.at) / 1000;
    const sentPerSec = (after.sent - before.sent) / sec;
    return {
      adapter,
      layout,
      round,
      viewers: opts.rooms * opts['room-viewers'],
      sentPerSec,
      deliveredPerSec: (after.delivered - before.delivered) / sec,
      demandedPerSec: sentPerSec * opts['room-viewers'],
      ackErrors: errorsBy,
      inbound: nodes.map((_, i) => {
        const messages = after.nodes[i]!.messages - before.nodes[i]!.messages;
        const bytes = after.nodes[i]!.bytes - before.nodes[i]!.bytes;
        const sentN = Math.max(1, after.sent - before.sent);
        return { messagesPerSec: messages / sec, bytesPerSec: bytes / sec, messagesPerSent: messages / sentN, bytesPerSent: bytes / sentN };
      }),
      redisCpu: (after.cpu - before.cpu) / sec,
      joinStorm: {
        sockets,
        seconds: stormSec,
        socketsPerSec: sockets / stormSec,
        ssubscribes: ss1.calls - ss0.calls,
        ssubscribesPerSec: (ss1.calls - ss0.calls) / stormSec,
        redisUsecPerSsubscribe: ss1.calls > ss0.calls ? (ss1.usec - ss0.usec) / (ss1.calls - ss0.calls) : 0,
      },
    };
  } finally {
    if (sending) clearInterval(sending);
    for (const c of clients) c.close();
    await Promise.all(nodes.map((n) => n.child.stop()));
    redis.disconnect();
    await dropPrefix(prefix);
  }
}

/**
 * The adapters compared in one run, interleaved (classic, sharded, then the other way round in the next
 * round) so a machine shared with other work loads both alike; the verdict reads ratios.
 */
export async function compareAdapters(opts: FanoutOptions, log: (line: string) => void): Promise<{ results: AdapterResult[]; table: string; notes: string[]; ratios: Record<Layout, { delivered: number; deliveredOfDemand: number[]; inboundMessages: number[]; inboundBytes: number[] }> }> {
  const results: AdapterResult[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    for (const layout of opts.layouts) {
      const order = round % 2 === 0 ? [...opts.adapters] : [...opts.adapters].reverse();
      for (const adapter of order) results.push(await measure(adapter, layout, round, opts, log));
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const of = (adapter: AdapterName, layout: Layout) => results.filter((r) => r.adapter === adapter && r.layout === layout);
  const ratios = {} as Record<Layout, { delivered: number; deliveredOfDemand: number[]; inboundMessages: number[]; inboundBytes: number[] }>;
  const notes: string[] = [];
  for (const layout of opts.layouts) {
    const c = of('classic', layout);
    const s = of('sharded', layout);
    if (!c.length || !s.length) continue;
    const nodeIdx = c[0]!.inbound.map((_, i) => i);
    ratios[layout] = {
      delivered: mean(s.map((r) => r.deliveredPerSec)) / mean(c.map((r) => r.deliveredPerSec)),
      deliveredOfDemand: [mean(c.map((r) => r.deliveredPerSec / r.demandedPerSec)), mean(s.map((r) => r.deliveredPerSec / r.demandedPerSec))],
      inboundMessages: nodeIdx.map((i) => mean(s.map((r) => r.inbound[i]!.messagesPerSent)) / mean(c.map((r) => r.inbound[i]!.messagesPerSent))),
      inboundBytes: nodeIdx.map((i) => mean(s.map((r) => r.inbound[i]!.bytesPerSent)) / mean(c.map((r) => r.inbound[i]!.bytesPerSent))),
    };
    const q = ratios[layout];
    notes.push(
      `${layout}: sharded/classic delivered/s ${q.delivered.toFixed(2)}x (delivered of demanded: classic ${fmt.pct(q.deliveredOfDemand[0]!)}, sharded ${fmt.pct(q.deliveredOfDemand[1]!)}); inbound pub/sub per chat message sent, per node: messages ${q.inboundMessages.map((x) => `${x.toFixed(2)}x`).join(', ')}, bytes ${q.inboundBytes.map((x) => `${x.toFixed(2)}x`).join(', ')}`,
    );
  }
  const rows = results.map((r) => [
    r.adapter,
    r.layout,
    String(r.round),
    fmt.int(r.sentPerSec),
    fmt.int(r.deliveredPerSec),
    fmt.int(r.demandedPerSec),
    r.inbound.map((x) => `${fmt.int(x.messagesPerSec)} (${x.messagesPerSent.toFixed(2)})`).join(' / '),
    r.inbound.map((x) => `${(x.bytesPerSec / 1024).toFixed(1)} (${Math.round(x.bytesPerSent)} B)`).join(' / '),
    fmt.pct(r.redisCpu),
    `${fmt.int(r.joinStorm.socketsPerSec)} (${fmt.int(r.joinStorm.ssubscribesPerSec)} SSUB/s, ${r.joinStorm.redisUsecPerSsubscribe.toFixed(1)} µs)`,
  ]);
  return {
    results,
    ratios,
    notes,
    table: formatTable(['adapter', 'layout', 'round', 'sent/s', 'delivered/s', 'demanded/s', 'inbound msg/s per node (per msg sent)', 'inbound KiB/s per node (per msg sent)', 'Redis CPU', 'connects/s (join storm)'], rows),
  };
}
