import { Worker } from 'node:worker_threads';
import type { StreamSummary } from '@stickyroom/sdk/protocol';
import type { Config } from '../config.js';
import { AppError, OUTAGE_RETRY_AFTER_MS } from '../errors.js';
import type { Level } from 'pino';
import type { Logger } from '../logger.js';
import type { StreamRecord } from '../streams/streams.store.js';
import type { FromThread, ThreadData, ToThread } from './summary.thread-protocol.js';

/** Compiled (dist/, `npm run start:prod`): the thread's entry is compiled JavaScript too. */
const compiled = import.meta.url.endsWith('.js');

/**
 * Starts summary.thread, from wherever this module runs: compiled, its .js beside this one; from source (tsx,
 * vitest, the benchmarks), its .ts through tsx's loader, registered in the thread before the entry is imported
 * (Node 20 loads a worker's entry before the hooks of an `--import` given in its execArgv), with the SDK's
 * source condition as every source entry point has it (scripts/start.ts). The thread gets no other flag of
 * this process (a benchmark's preloaded probe, for one).
 */
function startWorker(data: ThreadData): Worker {
  if (compiled) return new Worker(new URL('./summary.thread.js', import.meta.url), { workerData: data, execArgv: [] });
  const entry = new URL('./summary.thread.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: data, execArgv: ['--conditions=@stickyroom/source'] });
}

interface Pending {
  resolve(summary: StreamSummary | null): void;
  reject(err: Error): void;
}

/**
 * A node's summary thread, seen from the node: started on the first refresh (most nodes of most tests never
 * start one), started again after a crash, and holding the process open only while a refresh is in hand.
 */
export class SummaryThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** The running thread (null until the first refresh, and after it ended): for tests and diagnostics. */
  get current(): Worker | null {
    return this.worker;
  }

  /** The stream's live summary, refreshed in the thread at time `now`; null: another node holds the lease. */
  refresh(stream: StreamRecord, now: number): Promise<StreamSummary | null> {
    if (this.closed) return Promise.reject(new AppError('unavailable', 'the server is shutting down', { retryAfterMs: OUTAGE_RETRY_AFTER_MS }));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ type: 'refresh', id, stream, now } satisfies ToThread);
    });
  }

  /**
   * Lets the thread finish the refreshes in hand (each releases its stream's lease) and end, at most `graceMs`;
   * then ends it. A refresh asked after this fails as `unavailable`.
   */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const done = new Promise<'done'>((resolve) => {
      worker.once('exit', () => resolve('done'));
      worker.on('message', (msg: FromThread) => msg.type === 'closed' && resolve('done'));
    });
    worker.postMessage({ type: 'close' } satisfies ToThread);
    worker.ref();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    try {
      if ((await Promise.race([done, late])) === 'late') this.log.warn({ graceMs }, 'the summary thread did not finish within its grace period: ended');
      await worker.terminate();
    } finally {
      clearTimeout(timer);
    }
  }

  private start(): Worker {
    const worker = startWorker({ config: this.config });
    worker.unref();
    worker.on('message', (msg: FromThread) => {
      if (msg.type === 'log') return this.relay(msg.line);
      if (msg.type === 'closed') return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.settled(msg.id);
      if (msg.type === 'done') p.resolve(msg.summary);
      else p.reject(toError(msg.error));
    });
    worker.on('error', (err) => this.log.error({ err }, 'the summary thread failed; the next refresh starts another'));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      if (code !== 0 && !this.closed) this.log.warn({ code }, 'the summary thread ended');
      const left = [...this.pending.values()];
      this.pending.clear();
      for (const p of left) p.reject(new AppError('unavailable', 'the live summary thread ended, try again shortly', { retryAfterMs: OUTAGE_RETRY_AFTER_MS }));
    });
    this.worker = worker;
    return worker;
  }

  /** A line the thread logged, written by the node's logger (so its level, destination and fields apply). */
  private relay(line: string): void {
    try {
      const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string };
      const label = this.log.levels.labels[level] as Level | undefined;
      if (label && typeof this.log[label] === 'function') this.log[label]({ ...fields, thread: 'summary' }, msg ?? '');
    } catch {
      // not a line of pino's: nothing the node can say about it
    }
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
  }
}

/** The thread's failure as the node's request path would have thrown it (outages and refusals keep their code). */
function toError(e: Extract<FromThread, { type: 'failed' }>['error']): Error {
  if (e.unavailable) return new AppError('unavailable', 'storage is unavailable, try again shortly', { retryAfterMs: OUTAGE_RETRY_AFTER_MS });
  if (e.code) return new AppError(e.code, e.message);
  return new Error(`live summary refresh failed: ${e.message}`);
}
