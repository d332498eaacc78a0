import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET, TEST_WEBHOOK_SECRET } from '../helpers/app.js';
import { runTs, startServerProcess, type RunningProcess } from '../helpers/process.js';
import { freePort, PrivateRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/redis.js';
import { TokenService } from '../../core/src/identity/tokens.js';
import { Redis } from 'ioredis';

const processes: RunningProcess[] = [];
const redises: PrivateRedis[] = [];
const pids: number[] = [];
afterAll(async () => {
  for (const p of processes) await p.stop('SIGKILL');
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const r of redises) await r.remove();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on('error', () => {});
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

const baseEnv = (redisUrl: string): Record<string, string> => ({
  NODE_ENV: 'test',
  REDIS_URL: redisUrl,
  REDIS_PREFIX: uniquePrefix('life'),
  JWT_SECRET: TEST_JWT_SECRET,
  WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
  LOG_LEVEL: 'info',
});

const logged = (p: RunningProcess, msg: RegExp) =>
  p.output.flatMap((l) => {
    try {
      const j = JSON.parse(l) as { msg?: string };
      return j.msg !== undefined && msg.test(j.msg) ? [j as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });

describe("npm start's launcher killed with SIGKILL", () => {
  it('takes its server node, its worker and the Redis it started with it', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const launcher = runTs('scripts/start.ts', { ...baseEnv(url), PORT: '0', SHUTDOWN_GRACE_MS: '1000', WORKER_SHUTDOWN_GRACE_MS: '1000' });
    processes.push(launcher);
    await launcher.waitFor(/started redis-server on port/);
    const server = JSON.parse(await launcher.waitFor(/stickyroom server listening/)) as { pid: number };
    const worker = JSON.parse(await launcher.waitFor(/stickyroom worker running/)) as { pid: number };
    pids.push(server.pid, worker.pid);
    expect(await redisAnswers(url)).toBe(true);

    launcher.child.kill('SIGKILL');

    await expect.poll(() => alive(server.pid), { timeout: 15_000, interval: 100 }).toBe(false);
    await expect.poll(() => alive(worker.pid), { timeout: 15_000, interval: 100 }).toBe(false);
    await expect.poll(() => redisAnswers(url), { timeout: 15_000, interval: 100 }).toBe(false);
    expect(launcher.output.filter((l) => /"reason":"launcher gone"/.test(l))).toHaveLength(2);
  }, 60_000);
});

describe('a worker asked to stop (SIGTERM) while Redis is unreachable', () => {
  it('exits within its grace period, naming the job it abandoned to the stalled-job check', async () => {
    const redis = await PrivateRedis.start();
    redises.push(redis);
    const env = baseEnv(redis.url);
    const server = await startServerProcess(env);
    processes.push(server);
    // A stream.finalize job waits REACTION_FLUSH_MS + 1 s for the nodes' last likes: it is in hand that long.
    const worker = runTs('worker/src/main.ts', { ...env, LOG_LEVEL: 'debug', REACTION_FLUSH_MS: '60000', WORKER_SHUTDOWN_GRACE_MS: '2000' });
    processes.push(worker);
    await worker.waitFor(/stickyroom worker running/);

    const token = await new TokenService(TEST_JWT_SECRET).sign({ sub: 'host', role: 'streamer', brandId: 'brand-life' }, '1h');
    const call = async (path: string, body?: unknown) => {
      const res = await fetch(server.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });
      return (await res.json()) as { id: string };
    };
    const { id } = await call('/api/streams', { title: 'ends soon' });
    await call(`/api/streams/${id}/start`);
    await call(`/api/streams/${id}/end`);
    await worker.waitFor(new RegExp(`"jobId":"stream\\.finalize-${id}".*"msg":"job started"`));

    await redis.stop();
    const asked = performance.now();
    const code = await worker.stop('SIGTERM');
    const tookMs = performance.now() - asked;

    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(2000 + 1500); // the grace period and the process's own exit
    const [abandoned] = logged(worker, /abandoning them/);
    expect(abandoned?.abandoned).toContain(`stream.finalize-${id}`);
    expect(abandoned?.msg).toMatch(/stalled-job check/);
    expect(logged(worker, /worker stopped/)).toHaveLength(1);
  }, 60_000);
});

describe('a server node asked to stop (SIGTERM) while Redis is unreachable', () => {
  it('exits within its grace period', async () => {
    const redis = await PrivateRedis.start();
    redises.push(redis);
    const server = await startServerProcess({ ...baseEnv(redis.url), SHUTDOWN_GRACE_MS: '1000' });
    processes.push(server);

    await redis.stop();
    await expect.poll(async () => (await fetch(`${server.url}/readyz`)).status, { timeout: 10_000, interval: 100 }).toBe(503);
    const asked = performance.now();
    const code = await server.stop('SIGTERM');
    const tookMs = performance.now() - asked;

    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(1000 + 1500);
    expect(logged(server, /^stopped$/)).toHaveLength(1);
  }, 60_000);
});

describe("the processes' failure policy", () => {
  it('logs an unhandled rejection and serves on; logs an uncaught exception and exits', async () => {
    const p = runTs('test/chaos/fixtures/process-policy.ts', {});
    processes.push(p);
    expect(await p.exited).toBe(1);

    const rejection = logged(p, /^unhandled promise rejection$/);
    expect(rejection).toHaveLength(1);
    expect(rejection[0]!.level).toBe(50); // error
    expect((rejection[0]!.err as { message: string }).message).toBe('a publish nobody awaited');
    expect(logged(p, /^still serving$/)).toHaveLength(1);
    const crash = logged(p, /^uncaught exception/);
    expect(crash[0]!.level).toBe(60); // fatal
    expect((crash[0]!.err as { message: string }).message).toBe('thrown where nobody catches');
  });
});
