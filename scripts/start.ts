/**
 * `npm start`: one server node and one worker against REDIS_URL. If no Redis answers there and the URL is on
 * this machine and `redis-server` is installed, starts one (nothing persisted) and says so. Ctrl-C / SIGTERM stop
 * everything cleanly: the server closes its sockets, the worker finishes the jobs in hand.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../server/src/config.js';
import { createLogger } from '../server/src/logger.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`stickyroom: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
const log = createLogger(config.LOG_LEVEL === 'silent' ? 'info' : config.LOG_LEVEL, 'launcher');

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const children: ChildProcess[] = [];
let ownRedis: ChildProcess | undefined;

if (!(await redisAnswers(config.REDIS_URL))) {
  const url = new URL(config.REDIS_URL);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname);
  if (!local || !redisServerInstalled()) {
    process.stderr.write(
      `stickyroom: no Redis answers at ${config.REDIS_URL}.\n` +
        (local
          ? '  Install Redis and npm start will run it for you (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis),\n' +
            '  or start one yourself: redis-server --port 6379, or: docker compose up -d redis\n'
          : '  Check REDIS_URL, or point it at a Redis you run (docker compose up -d redis starts one on 6379).\n'),
    );
    process.exit(1);
  }
  const port = url.port || '6379';
  ownRedis = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (!(await waitFor(() => redisAnswers(config.REDIS_URL), 5000))) {
    ownRedis.kill('SIGTERM');
    process.stderr.write(`stickyroom: started redis-server on port ${port} but it does not answer; see its output above.\n`);
    process.exit(1);
  }
  log.warn({ port: Number(port) }, `no Redis answered at ${config.REDIS_URL}: started redis-server on port ${port} for you (in memory only, stops with stickyroom)`);
}

function run(name: string, entry: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], { stdio: 'inherit', env: process.env });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log.error({ process: name, code, signal }, `${name} exited unexpectedly: stopping`);
      void stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
async function stop(exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  const exited = children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((r) => c.once('exit', r)));
  for (const c of children) c.kill('SIGTERM');
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 35_000))]);
  if (ownRedis) {
    const gone = new Promise((r) => ownRedis!.once('exit', r));
    ownRedis.kill('SIGTERM');
    await gone;
  }
  log.info('stopped');
  process.exit(exitCode);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

run('server', 'server/src/main.ts');
run('worker', 'worker/src/main.ts');
log.info({ port: config.PORT }, `stickyroom starting: server on http://localhost:${config.PORT}, worker on ${config.REDIS_URL}`);
