/**
 * The summary thread of a server node (a `node:worker_threads` Worker, started by LiveSummaries on the first
 * refresh): refreshes live summaries with a Redis connection and a heap of its own, so the reads of a
 * 100,000-viewer audience, the per-viewer pass and their garbage never hold up the node's requests, which
 * only read the stored summary. Messages: see summary.thread-protocol.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { domainFeatures } from '../features.js';
import type { Jobs } from '../jobs/queues.js';
import { createDomainMetrics } from '../metrics.js';
import type { Pusher } from '../pusher.js';
import { createRedis, redisConnection } from '../redis/client.js';
import { Keys } from '../redis/keys.js';
import { isRedisUnavailable } from '../redis/outage.js';
import { Refresher } from './summary.refresher.js';
import type { FromThread, ThreadData, ToThread } from './summary.thread-protocol.js';

const port = parentPort;
if (!port) throw new Error('summary.thread.ts runs as a worker thread (see LiveSummaries)');
const { config } = workerData as ThreadData;
// Logged through the node's logger (its level, destination and fields): each line is handed to the node.
const log = pino({ level: config.LOG_LEVEL, base: null, timestamp: false }, { write: (line: string) => port.postMessage({ type: 'log', line } satisfies FromThread) });
const redis = createRedis({ ...redisConnection(config), log, name: 'summary-thread' });

/** A computation sees the time its node handed it (the node's clock, a test's or the simulator's), all through. */
const handedTime = new AsyncLocalStorage<number>();
/** What a live summary never does; any use is a bug, said loudly. */
const refused = <T extends object>(what: string): T =>
  new Proxy({} as T, {
    get: (_t, prop) => {
      throw new Error(`the summary thread ${what} (${String(prop)})`);
    },
  });

const ctx: AppContext = {
  config,
  log,
  redis,
  keys: new Keys(config.REDIS_PREFIX),
  clock: { now: () => handedTime.getStore() ?? Date.now() },
  broadcast: refused<Pusher>('pushes nothing'),
  jobs: refused<Jobs>('schedules no job'),
  metrics: createDomainMetrics(),
  features: domainFeatures,
};
const refresher = new Refresher(ctx);
const running = new Set<Promise<void>>();
let closing = false;

const send = (msg: FromThread) => port.postMessage(msg);

port.on('message', (msg: ToThread) => {
  if (msg.type === 'close') {
    void close();
    return;
  }
  if (closing) {
    send({ type: 'failed', id: msg.id, error: { message: 'the summary thread is closing', code: 'unavailable', unavailable: true } });
    return;
  }
  const job = handedTime
    .run(msg.now, () => refresher.refresh(msg.stream))
    .then(
      (summary) => send({ type: 'done', id: msg.id, summary }),
      (err: unknown) =>
        send({
          type: 'failed',
          id: msg.id,
          error: {
            message: err instanceof Error ? err.message : String(err),
            code: err instanceof AppError ? err.code : undefined,
            unavailable: isRedisUnavailable(err),
          },
        }),
    );
  running.add(job);
  void job.finally(() => running.delete(job));
});

/**
 * Finishes the refreshes in hand (each releases its lease), closes Redis and says so; the node then ends the
 * thread (a client still reconnecting to a Redis that is away would keep it alive on its own).
 */
async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  await Promise.allSettled([...running]);
  // a connection that is away (Redis down) would hold QUIT until it is back
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
  send({ type: 'closed' });
}
