import { createLogger } from '../../core/src/logger.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { TokenService } from '../../core/src/identity/tokens.js';
import { startTestApp, TEST_JWT_SECRET, TEST_WEBHOOK_SECRET, type TestApp } from './app.js';
import { LbProxy } from './lb-proxy.js';
import { runTs, startServerProcess, type RunningProcess } from './process.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from './redis.js';

/** Two server nodes in this process on one key prefix and one clock, and a worker beside them. */
export interface TwoNodes {
  a: TestApp;
  b: TestApp;
  worker: RunningWorker;
  close(): Promise<void>;
}

export async function startTwoNodesAndWorker(): Promise<TwoNodes> {
  const a = await startTestApp();
  const b = await startTestApp({ REDIS_PREFIX: a.prefix }, { clock: a.clock });
  const worker = startWorker({ config: a.config, log: createLogger('silent', 'test-worker'), clock: a.clock });
  return {
    a,
    b,
    worker,
    async close() {
      await worker.close();
      await b.close();
      await a.close();
    },
  };
}

/**
 * N server node processes and M worker processes on loopback, one key prefix and secret, behind a loopback
 * load balancer (LbProxy): what a deployment of several machines looks like, with real processes a test
 * may SIGKILL or SIGTERM. Clients connect to `lb.url`; `nodes[i].url` reaches one node directly.
 */
export interface NodeProcesses {
  nodes: (RunningProcess & { url: string; port: number })[];
  workers: RunningProcess[];
  lb: LbProxy;
  prefix: string;
  tokens: TokenService;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startNodeProcesses({ servers = 3, workers = 2, env = {} }: { servers?: number; workers?: number; env?: Record<string, string> } = {}): Promise<NodeProcesses> {
  const prefix = uniquePrefix('nodes');
  const all = {
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    JWT_SECRET: TEST_JWT_SECRET,
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    LOG_LEVEL: 'info',
    ...env,
  };
  const started: RunningProcess[] = [];
  try {
    const nodes = await Promise.all(
      Array.from({ length: servers }, async () => {
        const p = await startServerProcess(all, 60_000);
        started.push(p);
        return Object.assign(p, { port: Number(new URL(p.url).port) });
      }),
    );
    const ws = await Promise.all(
      Array.from({ length: workers }, async () => {
        const p = runTs('worker/src/main.ts', all);
        started.push(p);
        await p.waitFor(/stickyroom worker running/, 60_000);
        return p;
      }),
    );
    const lb = await LbProxy.start(nodes.map((n) => n.port));
    return {
      nodes,
      workers: ws,
      lb,
      prefix,
      tokens: new TokenService(TEST_JWT_SECRET),
      env: all,
      async close() {
        await lb.close();
        await Promise.all(started.map((p) => p.stop('SIGKILL')));
        await dropPrefix(prefix);
      },
    };
  } catch (err) {
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    throw err;
  }
}
