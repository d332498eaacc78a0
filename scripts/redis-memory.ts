/**
 * What one stream and its viewers cost in Redis memory, measured through the product itself: a server node
 * in this process (server/src/app.ts) on a private redis-server started for the run (nothing else writes
 * there, so INFO memory deltas are ours alone), real SDK clients doing what viewers do. docs/operations.md
 * quotes its output.
 *
 *   npx tsx --conditions=@stickyroom/source scripts/redis-memory.ts [--viewers 500]
 *
 * Phases, each measured as the growth of INFO memory's used_memory and of the summed MEMORY USAGE of the keys:
 *   stream     a live stream with a pinned product and an open coupon drop, no viewer yet
 *   join       N viewers connected and joined
 *   activity   each viewer: one chat message, 5 likes, a product click, a coupon claim
 *   leave      the viewers disconnected (what stays per viewer)
 *   end        the stream ended
 * and the Redis commands run per viewer in each phase (INFO stats total_commands_processed, less the script's
 * own measuring; the background ticks of the node and the worker are included).
 * Then every key kind (ids replaced by <stream>, <viewer>, ...) with its count, bytes and TTL.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createStreamerClient, createViewerClient, type ViewerClient } from '@stickyroom/sdk';
import { loadConfig } from '../core/src/config.js';
import { TokenService } from '../core/src/identity/tokens.js';
import { createLogger } from '../core/src/logger.js';
import { createApp } from '../server/src/app.js';
import { startWorker } from '../worker/src/worker.js';

const { values } = parseArgs({ options: { viewers: { type: 'string', default: '500' } } });
const VIEWERS = Number(values.viewers);
const PREFIX = 'sr:';
const SECRET = 'redis-memory-secret-0123456789abcdef';
const BRAND = 'mem-brand';
const out = (line = '') => process.stdout.write(`${line}\n`);

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const redisProc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
// however this script ends (an error, a closed pipe), its redis-server goes with it
process.on('exit', () => redisProc.kill('SIGTERM'));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGPIPE'] as const) process.on(signal, () => process.exit(1));
const url = `redis://127.0.0.1:${port}`;
const redis = new Redis(url, { maxRetriesPerRequest: 20, retryStrategy: (n) => (n > 50 ? null : 50) });
redis.on('error', () => {}); // redis-server may take a moment to listen: ioredis retries
await redis.ping();
const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];

const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: url, REDIS_PREFIX: PREFIX, JWT_SECRET: SECRET, LOG_LEVEL: 'silent', CHAT_RATE_LIMIT: '1000' });
const app = createApp({ config, log: createLogger('silent', 'memory') });
const appUrl = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
const tokens = new TokenService(SECRET);
const worker = startWorker({ config, log: createLogger('silent', 'memory-worker') });

async function usedMemory(): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}
/** Commands Redis has run so far (a script call counts once, its commands inside it too). */
async function commands(): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))![1]);
}
interface KeyInfo {
  key: string;
  type: string;
  bytes: number;
  pttl: number;
}
async function keys(): Promise<KeyInfo[]> {
  const all: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    all.push(...batch);
  } while (cursor !== '0');
  const p = redis.pipeline();
  for (const k of all) p.type(k).memory('USAGE', k, 'SAMPLES', '0').pttl(k);
  const r = (await p.exec())!;
  return all.map((key, i) => ({ key, type: r[i * 3]![1] as string, bytes: Number(r[i * 3 + 1]![1] ?? 0), pttl: Number(r[i * 3 + 2]![1]) }));
}
const sum = (ks: KeyInfo[]) => ks.reduce((n, k) => n + k.bytes, 0);

interface Point {
  phase: string;
  commands: number;
  used: number;
  keyBytes: number;
  keys: number;
}
const points: Point[] = [];
/** Commands this script ran itself to measure (INFO, SCAN, TYPE, MEMORY USAGE, PTTL): left out of the phases. */
let ownCommands = 0;
async function measure(phase: string): Promise<void> {
  // let buffered work (reaction flush, stats round) reach Redis first
  await new Promise((r) => setTimeout(r, 1500));
  const before = await commands();
  const used = await usedMemory();
  const ks = await keys();
  points.push({ phase, commands: before - ownCommands, used, keyBytes: sum(ks), keys: ks.length });
  ownCommands += (await commands()) - before;
}

await measure('empty (node started)');

const hostToken = await tokens.sign({ sub: 'mem-host', role: 'streamer', brandId: BRAND }, '2h');
const created = await fetch(`${appUrl}/api/streams`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${hostToken}` },
  body: JSON.stringify({ title: 'Memory' }),
});
const { id: streamId } = (await created.json()) as { id: string };
const host = await createStreamerClient({ url: appUrl, token: hostToken, transports: ['websocket'] }).connect();
await host.start(streamId);
await host.pinProduct(streamId, { id: 'sku-1', title: 'Sneakers', price: 99, currency: 'USD' });
const { drop } = await host.dropCoupon(streamId, { title: '10% off', discount: { type: 'percent', value: 10 }, quantity: VIEWERS, durationSec: 3600 });
await measure('stream live, no viewer');

const viewerId = (i: number) => `viewer-${String(i).padStart(6, '0')}`;
const viewers: ViewerClient[] = [];
for (let i = 0; i < VIEWERS; i += 50) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(50, VIEWERS - i) }, async (_, j) => {
      const v = createViewerClient({ url: appUrl, token: await tokens.sign({ sub: viewerId(i + j), role: 'viewer', name: `Viewer ${i + j}` }, '2h'), transports: ['websocket'], heartbeats: false });
      await v.connect();
      await v.join(streamId);
      return v;
    }),
  );
  viewers.push(...batch);
}
await measure(`${VIEWERS} viewers joined`);

for (let i = 0; i < VIEWERS; i += 50) {
  await Promise.all(
    viewers.slice(i, i + 50).map(async (v, j) => {
      await v.chat(streamId, `hello from viewer ${i + j}, what a nice pair of sneakers`);
      await v.react(streamId, 'like', 5);
      await v.clickProduct(streamId, 'sku-1');
      await v.claimCoupon(drop.id);
    }),
  );
}
await measure('each chatted, reacted, clicked, claimed');

for (const v of viewers) v.close();
await measure('viewers gone');

await host.end(streamId);
host.close();
// the worker's jobs of the end: the final summary and the last rollup into the brand's stickiness scores
const jobKey = (id: string) => `{${PREFIX}bull}:stickyroom:${id}`;
for (const id of [`stream.finalize-${streamId}`, `rollup.end-${streamId}`]) {
  const until = Date.now() + 120_000;
  while (!(await redis.hget(jobKey(id), 'finishedOn'))) {
    if (Date.now() > until) throw new Error(`job ${id} did not finish in 120 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
await measure('stream ended, summary and rollup done');

// ---- report
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
out(`Redis ${version}, ${VIEWERS} viewers, prefix ${PREFIX}`);
out();
out('| phase | used_memory | Δ used_memory | Δ per viewer | keys | Σ MEMORY USAGE | Δ Σ per viewer | Redis commands per viewer |');
out('|---|---:|---:|---:|---:|---:|---:|---:|');
points.forEach((p, i) => {
  const prev = points[i - 1];
  const d = prev ? p.used - prev.used : 0;
  const dk = prev ? p.keyBytes - prev.keyBytes : 0;
  const perViewer = i >= 2 ? `${Math.round(d / VIEWERS)} B` : '';
  const cmds = prev && i >= 2 ? ((p.commands - prev.commands) / VIEWERS).toFixed(1) : '';
  out(`| ${p.phase} | ${kb(p.used)} | ${prev ? kb(d) : ''} | ${perViewer} | ${p.keys} | ${kb(p.keyBytes)} | ${i >= 2 ? `${Math.round(dk / VIEWERS)} B` : ''} | ${cmds} |`);
});

const final = await keys();
const ids = new Map<string, string>([[streamId, '<stream>'], [drop.id, '<drop>'], ['sku-1', '<product>'], [BRAND, '<brand>']]);
const kind = (key: string) =>
  key
    .slice(PREFIX.length)
    .replace(/^\{sr:bull\}/, '{<prefix>bull}')
    .replace(/viewer-\d{6}/g, '<viewer>')
    .split(/([:{}|])/)
    .map((seg) => ids.get(seg) ?? (/^[A-Z0-9]{4}(-[A-Z0-9]{4})+$/.test(seg) ? '<code>' : /^\d{3,}$/.test(seg) ? '<n>' : seg))
    .join('');
const groups = new Map<string, { type: string; count: number; bytes: number; ttls: number[] }>();
const ttl = (ms: number) => (ms > 3_600_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / 1000)} s`);
const ttlRange = (ms: number[]) => {
  if (ms.every((t) => t < 0)) return 'none';
  const set = ms.filter((t) => t >= 0);
  const lo = Math.min(...set);
  const hi = Math.max(...set);
  return (ttl(lo) === ttl(hi) ? ttl(lo) : `${ttl(lo)}-${ttl(hi)}`) + (set.length < ms.length ? ' (some none)' : '');
};
for (const k of final) {
  const name = k.key.startsWith(PREFIX) ? kind(k.key) : kind(PREFIX + k.key);
  const g = groups.get(name) ?? { type: k.type, count: 0, bytes: 0, ttls: [] as number[] };
  g.count++;
  g.bytes += k.bytes;
  g.ttls.push(k.pttl);
  groups.set(name, g);
}
out();
out(`Keys after the stream ended (${final.length}, ${kb(sum(final))} by MEMORY USAGE):`);
out();
out('| key | type | count | bytes (all) | bytes each | TTL left |');
out('|---|---|---:|---:|---:|---|');
for (const [name, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes)) {
  out(`| \`${name}\` | ${g.type} | ${g.count} | ${g.bytes} | ${Math.round(g.bytes / g.count)} | ${ttlRange(g.ttls)} |`);
}

await worker.close();
await app.close({ graceMs: 2000 });
redis.disconnect();
redisProc.kill('SIGTERM');
process.exit(0);
