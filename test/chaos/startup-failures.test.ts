import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTs } from '../helpers/process.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/**
 * A process that cannot start ends with one line an operator can act on (what failed, where) and a non-zero
 * exit: no stack trace, no process that runs on without its port or its Redis.
 */
const prefix = uniquePrefix('startup');

/** A loopback port nothing listens on: taken, then released. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Ending {
  code: number | null;
  output: string[];
  /** The lines at pino's error level or above (50 error, 60 fatal). */
  errors: { level: number; msg: string; [k: string]: unknown }[];
}

async function ending(entry: string, env: Record<string, string>): Promise<Ending> {
  const p = runTs(entry, { REDIS_PREFIX: prefix, LOG_LEVEL: 'info', ...env });
  // 'close', not 'exit': by then the output streams have ended and every line has been read
  const code = await new Promise<number | null>((resolve) => p.child.once('close', resolve));
  const errors = p.output.flatMap((l) => {
    try {
      const j = JSON.parse(l) as Ending['errors'][number];
      return j.level >= 50 ? [j] : [];
    } catch {
      return [];
    }
  });
  return { code, output: p.output, errors };
}

function expectOneClearLine(end: Ending, ...mentions: RegExp[]): string {
  const all = end.output.join('\n');
  expect(end.code, all).not.toBe(0);
  expect(end.code, all).not.toBeNull();
  expect(end.errors, all).toHaveLength(1);
  const msg = end.errors[0]!.msg;
  for (const m of mentions) expect(msg).toMatch(m);
  // no stack trace anywhere, and nothing printed that is not a log line
  expect(all).not.toMatch(/^\s+at /m);
  expect(end.output.filter((l) => !l.startsWith('{')), all).toEqual([]);
  return msg;
}

let holder: Server;
let busyPort: number;
beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  busyPort = (holder.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((r) => holder.close(() => r()));
  await dropPrefix(prefix);
});

describe.concurrent('a process that cannot start', () => {
  it('server: a busy port ends with one line naming the port', async () => {
    const end = await ending('server/src/main.ts', { REDIS_URL: TEST_REDIS_URL, HOST: '127.0.0.1', PORT: String(busyPort) });
    const msg = expectOneClearLine(end, new RegExp(`port ${busyPort} is already in use \\(127\\.0\\.0\\.1:${busyPort}\\)`));
    expect(msg).toMatch(/^cannot start: /);
    expect(end.errors[0]).toMatchObject({ level: 60, code: 'EADDRINUSE', port: busyPort });
  });

  it('server: a Redis that does not answer at start ends with one line naming its address and why', async () => {
    const port = await freePort();
    const end = await ending('server/src/main.ts', { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_STARTUP_TIMEOUT_MS: '300', PORT: '0', HOST: '127.0.0.1' });
    expectOneClearLine(end, new RegExp(`Redis at redis://127\\.0\\.0\\.1:${port} did not answer within 300 ms`), /ECONNREFUSED/);
    // it never listened
    expect(end.output.join('\n')).not.toMatch(/stickyroom server listening/);
  });

  it('server: a password in REDIS_URL is not printed', async () => {
    const port = await freePort();
    const end = await ending('server/src/main.ts', { REDIS_URL: `redis://:hunter2-secret@127.0.0.1:${port}`, REDIS_STARTUP_TIMEOUT_MS: '100', PORT: '0' });
    expectOneClearLine(end, new RegExp(`redis://\\*\\*\\*@127\\.0\\.0\\.1:${port}`));
    expect(end.output.join('\n')).not.toMatch(/hunter2/);
  });

  it('npm start in production: starts no Redis of its own, and ends with one line naming the address', async () => {
    const port = await freePort();
    const secret = (c: string) => c.repeat(40);
    const end = await ending('scripts/start.ts', {
      NODE_ENV: 'production',
      JWT_SECRET: secret('j'),
      WEBHOOK_SECRET: secret('w'),
      METRICS_TOKEN: secret('m'),
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_STARTUP_TIMEOUT_MS: '300',
      PORT: '0',
    });
    expectOneClearLine(end, new RegExp(`Redis at redis://127\\.0\\.0\\.1:${port} did not answer within 300 ms`), /ECONNREFUSED/);
    expect(end.output.join('\n')).not.toMatch(/started redis-server/);
  });

  it('server: a refused Redis Cluster seed ends with one line naming the seed and why', async () => {
    const port = await freePort();
    const end = await ending('server/src/main.ts', { REDIS_CLUSTER_NODES: `127.0.0.1:${port}`, REDIS_STARTUP_TIMEOUT_MS: '300', PORT: '0', HOST: '127.0.0.1' });
    expectOneClearLine(end, /no Redis Cluster seed was ready within 300 ms/, new RegExp(`127\\.0\\.0\\.1:${port}: `), /REDIS_CLUSTER_NODES/);
    expect(end.output.join('\n')).not.toMatch(/stickyroom server listening/);
  });

  it('worker: a seed that is a plain Redis, not a cluster node, ends with one line saying so', async () => {
    const { port } = new URL(TEST_REDIS_URL);
    const end = await ending('worker/src/main.ts', { REDIS_CLUSTER_NODES: `127.0.0.1:${port || 6379}`, REDIS_STARTUP_TIMEOUT_MS: '300' });
    const msg = expectOneClearLine(end, /no Redis Cluster seed was ready/);
    expect(msg).toMatch(/cluster/i);
    expect(end.output.join('\n')).not.toMatch(/stickyroom worker running/);
  });

  it('worker: a Redis that does not answer at start ends with one line naming its address', async () => {
    const port = await freePort();
    const end = await ending('worker/src/main.ts', { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_STARTUP_TIMEOUT_MS: '300' });
    expectOneClearLine(end, new RegExp(`Redis at redis://127\\.0\\.0\\.1:${port} did not answer`), /ECONNREFUSED/);
    expect(end.output.join('\n')).not.toMatch(/stickyroom worker running/);
  });
});
