import { afterAll, describe, expect, it } from 'vitest';
import { runTs, type RunningProcess } from '../helpers/process.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const prefix = uniquePrefix('worker-http');
const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, LOG_LEVEL: 'info', WORKER_HTTP_HOST: '127.0.0.1', METRICS_TOKEN: 'metrics-token-0123456789abcdef' };
const started: RunningProcess[] = [];
afterAll(async () => {
  for (const p of started) await p.stop('SIGKILL');
  await dropPrefix(prefix);
});

describe('the worker process', () => {
  it('serves /healthz and /metrics on its port, and ends with one line when the port is taken', async () => {
    const worker = runTs('worker/src/main.ts', { ...env, WORKER_HTTP_PORT: '0' });
    started.push(worker);
    const port = (JSON.parse(await worker.waitFor(/worker HTTP port/)) as { port: number }).port;
    await worker.waitFor(/worker ready/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, worker: 'running' });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${env.METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^stickyroom_nodejs_eventloop_lag_seconds /m);

    const second = runTs('worker/src/main.ts', { ...env, WORKER_HTTP_PORT: String(port) });
    started.push(second);
    expect(await second.exited).toBe(1);
    const said = second.output.filter((l) => /cannot listen/.test(l));
    expect(said).toEqual([`stickyroom worker: cannot listen on 127.0.0.1:${port} (EADDRINUSE); set WORKER_HTTP_PORT`]);
    expect(second.output.some((l) => /\n\s+at |^\s+at /.test(l))).toBe(false);

    expect(await worker.stop('SIGTERM')).toBe(0);
  });
});
