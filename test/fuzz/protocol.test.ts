import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createStreamerClient, type StreamerClient } from '@stickyroom/sdk';
import { ERROR_CODES } from '@stickyroom/sdk/protocol';
import { TokenService } from '../../core/src/identity/tokens.js';
import { startServerProcess, type RunningProcess } from '../helpers/process.js';
import { openRaw, type RawSocket } from '../helpers/raw-socket.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { Oracle, randomPacket, Rng, type Expect, type Packet, type Targets } from './frames.js';

/*
 * The protocol-level fuzzer (issue 7, "How it is checked"): at least 10,000 random raw Socket.IO packets
 * from authenticated and unauthenticated connections against a live stream none of them may change, sent
 * to a server running as its own process so that an exit shows. Replay a run with FUZZ_SEED=<seed>.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);
const PACKETS = 10_000;
const PARALLEL = 6;
const MAX_FRAME_BYTES = 16_384;
const SECRET = 'fuzz-secret-0123456789abcdef';

type Identity = 'anonymous' | 'viewer' | 'rival-streamer' | 'rival-moderator' | 'brand';

interface Session {
  index: number;
  identity: Identity;
  packets: Packet[];
  expects: Expect[];
  /** Nothing is half-sent before the last packet (a binary packet missing buffers), so a probe can go there. */
  probeable: boolean;
}

const prefix = uniquePrefix('fuzz');
const tokens = new TokenService(SECRET);
let node: RunningProcess & { url: string };
let host: StreamerClient;
let targets: Targets;

beforeAll(async () => {
  node = await startServerProcess({
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    JWT_SECRET: SECRET,
    WEBHOOK_SECRET: 'fuzz-webhook-secret-0123456789',
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    // every event reaches its handler: the guards under test are the schemas and the authorization
    EVENT_RATE_LIMIT: '1000000',
    MAX_PAYLOAD_BYTES: String(MAX_FRAME_BYTES),
  });
  targets = await setUpStream(node.url);
}, 60_000);

afterAll(async () => {
  host?.close();
  await node?.stop();
  await dropPrefix(prefix);
});

/** A live stream of brand-a with a chat message, a pinned product, an open quiz, lottery and drop. */
async function setUpStream(url: string): Promise<Targets> {
  const hostToken = await tokens.sign({ sub: 'fuzz-host', role: 'streamer', brandId: 'brand-a' });
  const res = await fetch(`${url}/api/streams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hostToken}` },
    body: JSON.stringify({ title: 'Under attack' }),
  });
  const streamId = ((await res.json()) as { id: string }).id;
  host = await createStreamerClient({ url, token: hostToken, transports: ['websocket'] }).connect();
  await host.start(streamId);
  // the node's first room:stats push writes what it pushed: let it happen before the snapshot
  const statsPushed = host.once('room:stats', (e) => e.streamId === streamId);
  await host.join(streamId);
  await statsPushed;
  const { message } = await host.chat(streamId, 'welcome');
  await host.pinProduct(streamId, { id: 'mug', title: 'Mug', price: 12, currency: 'EUR' });
  const { quiz } = await host.createQuiz(streamId, { question: 'Q?', options: ['a', 'b'], correctOption: 1, durationSec: 3600 });
  const { lottery } = await host.createLottery(streamId, { prize: 'Bike', winners: 1, durationSec: 3600 });
  const { drop } = await host.dropCoupon(streamId, { title: '10% off', discount: { type: 'percent', value: 10 }, quantity: 5, durationSec: 3600 });
  host.close();
  return {
    streamId,
    brandId: 'brand-a',
    quizId: quiz.id,
    lotteryId: lottery.id,
    dropId: drop.id,
    productId: 'mug',
    messageId: message.id,
    questionId: `${streamId}.nosuch`,
    victimId: 'victim-viewer',
  };
}

/** Every key of the deployment but rate-limit counters and push-interval tokens (they expire by themselves). */
async function snapshot(): Promise<Record<string, string>> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const out: Record<string, string> = {};
    for (const key of keys.filter((k) => !/:rate(:|$)|Token$/.test(k)).sort()) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.getBuffer(key).then((b) => b?.toString('base64'));
      else if (type === 'hash') value = Object.entries(await redis.hgetall(key)).sort();
      else if (type === 'set') value = (await redis.smembers(key)).sort();
      else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else value = type;
      out[key] = `${type} ${JSON.stringify(value)}`;
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

/** The whole run's plan, from the seed alone: which identity each connection has and what it sends. */
function plan(seed: number): Session[] {
  const sessions: Session[] = [];
  let total = 0;
  for (let index = 0; total < PACKETS; index++) {
    const r = new Rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    const identity = r.pick<Identity>(['anonymous', 'anonymous', 'viewer', 'viewer', 'viewer', 'rival-streamer', 'rival-streamer', 'rival-moderator', 'brand']);
    const authenticated = identity !== 'anonymous';
    const oracle = new Oracle(authenticated, MAX_FRAME_BYTES);
    let nextId = 0;
    const packets: Packet[] = [];
    const expects: Expect[] = [];
    const length = 10 + r.int(110);
    let probeable = true;
    while (packets.length < length) {
      const p = randomPacket(r, targets, { authenticated, nextId: () => ++nextId });
      probeable = !oracle.waiting;
      const e = oracle.judge(p.frames);
      packets.push(p);
      expects.push(e);
      if (e.kind === 'close' || e.kind === 'any') break;
    }
    total += packets.length;
    if (expects.at(-1)!.kind === 'open') probeable = !oracle.waiting;
    sessions.push({ index, identity, packets, expects, probeable });
  }
  return sessions;
}

async function authFor(s: Session, r: Rng): Promise<unknown> {
  const sub = `fuzz-${s.index}`;
  switch (s.identity) {
    case 'viewer':
      return { token: await tokens.sign({ sub, role: 'viewer' }) };
    case 'rival-streamer':
      return { token: await tokens.sign({ sub, role: 'streamer', brandId: 'brand-b' }) };
    case 'rival-moderator':
      return { token: await tokens.sign({ sub, role: 'moderator', brandId: 'brand-b' }) };
    case 'brand':
      return { token: await tokens.sign({ sub, role: 'brand', brandId: 'brand-a' }) };
    default:
      return r.pick<unknown>([
        undefined,
        {},
        { token: '' },
        { token: 42 },
        { token: await new TokenService('another-secret-0123456789').sign({ sub, role: 'admin' }) },
        { token: await tokens.sign({ sub, role: 'admin' }, -60) },
      ]);
  }
}

/** GET /healthz on a connection of its own (no keep-alive to race): the status, or why there was none. */
function healthz(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = get(`${url}/healthz`, { agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 'no status'));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 3 s')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(`${err.code ?? ''} ${err.message}`));
  });
}

const describeFrame = (p: Packet) =>
  `${p.label}: ${p.frames.map((f) => (typeof f === 'string' ? JSON.stringify(f.slice(0, 160)) : `<${f.length} bytes>`)).join(' + ')}`;

/** What the runs checked, for the closing line. */
const checked = { acks: 0, closes: 0 };

/** Runs one connection's packets; returns what went wrong (nothing when all is as expected). */
async function run(s: Session): Promise<string[]> {
  const where = `seed ${SEED} session ${s.index} (${s.identity})`;
  const r = new Rng((SEED + s.index) >>> 0);
  let socket: RawSocket;
  try {
    socket = await openRaw(node.url, { auth: await authFor(s, r), timeoutMs: 10_000 });
  } catch (err) {
    return [`${where}: handshake failed: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  const refused = socket.connectReply?.startsWith('44') ?? false;
  if (s.identity === 'anonymous' && !refused) problems.push(`${where}: an unauthenticated CONNECT was accepted: ${socket.connectReply}`);
  if (s.identity !== 'anonymous' && refused) problems.push(`${where}: CONNECT refused: ${socket.connectReply}`);

  // Everything but a last packet that ends the connection; then a probe, answered in order after them,
  // and every ack those packets asked for; then the last packet, and the close it must cause.
  const last = s.expects.at(-1)!;
  const ending = last.kind === 'close' || last.kind === 'any';
  const body = ending ? s.packets.slice(0, -1) : s.packets;
  for (const p of body) {
    if (socket.isClosed) break;
    for (const f of p.frames) socket.send(f);
  }
  if (s.identity !== 'anonymous' && s.probeable) {
    const probe = 1_000_000;
    socket.send(`42${probe}["fuzz:probe"]`);
    try {
      await socket.ack(probe, 10_000);
      const ids = s.expects.flatMap((e) => (e.kind === 'answer' ? [e.id] : []));
      for (const id of ids) {
        const ack = await socket.ack(id, 10_000);
        checked.acks++;
        const text = JSON.stringify(ack);
        const a = ack as { ok?: unknown; error?: { code?: string; message?: string } };
        if (typeof a?.ok !== 'boolean') problems.push(`${where}: ack ${id} is not an ack: ${text.slice(0, 200)}`);
        if (a?.ok === false && !(ERROR_CODES as readonly string[]).includes(a.error?.code ?? '')) problems.push(`${where}: ack ${id} has an unknown code: ${text.slice(0, 200)}`);
        if (Buffer.byteLength(text) > 1000) problems.push(`${where}: ack ${id} is ${Buffer.byteLength(text)} bytes`);
      }
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}${socket.isClosed ? ' (closed although no packet so far should close it)' : ''}`);
    }
  } else if (socket.isClosed) {
    problems.push(`${where}: closed although no packet so far should close it`);
  }
  if (ending && !socket.isClosed) {
    for (const f of s.packets.at(-1)!.frames) socket.send(f);
    if (last.kind === 'close') {
      const closed = await Promise.race([socket.closed.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), 5000))]);
      if (closed) checked.closes++;
      else problems.push(`${where}: still open after ${describeFrame(s.packets.at(-1)!)}, which the parser refuses`);
    }
  }
  socket.close();
  return problems;
}

describe(`raw Socket.IO frames (FUZZ_SEED=${SEED})`, () => {
  it(`survives ${PACKETS} random packets from strangers, viewers and another brand's staff, and changes nothing`, async () => {
    process.stdout.write(`protocol fuzzer: FUZZ_SEED=${SEED} (set it to replay this run)\n`);
    const before = await snapshot();
    const sessions = plan(SEED);
    const packets = sessions.reduce((n, s) => n + s.packets.length, 0);
    const frames = sessions.reduce((n, s) => n + s.packets.reduce((m, p) => m + p.frames.length, 0), 0);
    expect(packets).toBeGreaterThanOrEqual(PACKETS);

    // /healthz answers throughout
    let polling = true;
    const health: { ok: number; failed: string[] } = { ok: 0, failed: [] };
    const poller = (async () => {
      while (polling) {
        const status = await healthz(node.url);
        if (status === 200) health.ok++;
        else health.failed.push(String(status));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const problems: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < sessions.length) problems.push(...(await run(sessions[next++]!)));
      }),
    );
    polling = false;
    await poller;

    expect(node.child.exitCode, node.output.slice(-20).join('\n')).toBeNull();
    expect(node.child.signalCode).toBeNull();
    expect(problems.slice(0, 20)).toEqual([]);
    expect(health.failed).toEqual([]);
    expect(health.ok).toBeGreaterThan(0);
    // nothing the server logged as an error (a handler's internal error is a bug)
    const errors = node.output.filter((l) => /"level":(5\d|60)/.test(l));
    expect(errors.slice(0, 5)).toEqual([]);
    expect(await snapshot()).toEqual(before);
    process.stdout.write(
      `protocol fuzzer: ${sessions.length} connections, ${packets} packets in ${frames} frames; ${checked.acks} acks and ${checked.closes} closes as expected; ${health.ok} health checks\n`,
    );
  }, 120_000);
});
