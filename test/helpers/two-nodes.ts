import { createLogger } from '../../core/src/logger.js';
import { startWorker, type RunningWorker } from '../../worker/src/worker.js';
import { startTestApp, type TestApp } from './app.js';

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
