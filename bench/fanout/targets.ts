import { randomBytes } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { TokenService } from '../../core/src/identity/tokens.js';
import { NodeChild } from '../lib/child.js';
import { freePort, waitHttpOk } from '../lib/net.js';
import { benchPrefix, dropPrefix } from '../lib/redis.js';
import { benchServerEnv } from '../lib/stickyroom.js';
import type { FanoutOptions, TargetName } from './options.js';

/** A measured server, started and ready, with one stream for the room. */
export interface RunningTarget {
  name: TargetName;
  server: NodeChild;
  url: string;
  streamId: string;
  jwtSecret: string;
  /** The Redis key prefix the server wrote under (deleted by `stop()`), if it uses Redis. */
  redisPrefix?: string;
  /** Settings that differ from the server's defaults, shown in the report. */
  settings: Record<string, string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

export async function startTarget(name: TargetName, opts: FanoutOptions): Promise<RunningTarget> {
  return name === 'baseline' ? startBaseline(opts) : startStickyroom(opts);
}

async function startBaseline(_opts: FanoutOptions): Promise<RunningTarget> {
  const port = await freePort();
  const server = new NodeChild({
    name: 'baseline',
    entry: 'bench/baseline/server.ts',
    env: { PORT: String(port), HOST: '127.0.0.1' },
    probe: true,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHttpOk(`${url}/healthz`, READY_TIMEOUT_MS, () => server.alive);
  } catch (err) {
    await server.stop();
    throw new Error(`baseline did not start: ${(err as Error).message}\n${server.tail()}`);
  }
  return { name: 'baseline', server, url, streamId: 'bench', jwtSecret: randomBytes(24).toString('hex'), settings: {}, stop: () => server.stop() };
}

/**
 * Stickyroom as it runs in production (`server/src/main.ts`), on a private Redis prefix that is deleted
 * afterwards. The chat rate limit is raised so the senders' steady 1 msg/s each is never throttled: the
 * limiter still runs for every message, only its threshold differs (see docs/benchmarks.md).
 */
async function startStickyroom(opts: FanoutOptions): Promise<RunningTarget> {
  const port = await freePort();
  const prefix = benchPrefix();
  const jwtSecret = randomBytes(24).toString('hex');
  const perSenderPer10s = (opts.rate / opts.senders) * 10;
  const settings: Record<string, string> = {
    CHAT_RATE_LIMIT: String(Math.min(1000, Math.max(5, Math.ceil(perSenderPer10s * 2)))),
    CHAT_RATE_WINDOW_SEC: '10',
  };
  if (opts['tick-ms'] !== undefined) settings.CHAT_TICK_MS = String(opts['tick-ms']);
  const server = new NodeChild({
    name: 'stickyroom',
    entry: opts.root ? join(isAbsolute(opts.root) ? opts.root : join(process.cwd(), opts.root), 'server/src/main.ts') : 'server/src/main.ts',
    env: {
      ...benchServerEnv({ prefix, jwtSecret, port }),
      ...settings,
    },
    probe: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await server.stop();
    await dropPrefix(prefix);
  };
  try {
    await waitHttpOk(`${url}/readyz`, READY_TIMEOUT_MS, () => server.alive);
    const streamId = await createLiveStream(url, jwtSecret);
    return { name: 'stickyroom', server, url, streamId, jwtSecret, redisPrefix: prefix, settings, stop };
  } catch (err) {
    await stop();
    throw new Error(`stickyroom did not start: ${(err as Error).message}\n${server.tail()}`);
  }
}

/** Creates and starts a stream over the HTTP API, as a streamer of the bench brand would. */
export async function createLiveStream(url: string, jwtSecret: string): Promise<string> {
  const token = await new TokenService(jwtSecret).sign({ sub: 'bench-streamer', role: 'streamer', brandId: 'bench-brand', name: 'Bench' }, '2h');
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await fetch(`${url}/api/streams`, { method: 'POST', headers, body: JSON.stringify({ title: 'fan-out benchmark' }) });
  if (created.status !== 201) throw new Error(`POST /api/streams answered ${created.status}: ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const started = await fetch(`${url}/api/streams/${encodeURIComponent(id)}/start`, { method: 'POST', headers });
  if (!started.ok) throw new Error(`POST /api/streams/${id}/start answered ${started.status}: ${await started.text()}`);
  return id;
}
