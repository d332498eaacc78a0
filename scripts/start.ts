/**
 * `npm start`: one server node and one worker against REDIS_URL. If no Redis answers there and the URL is on
 * this machine and `redis-server` is installed, starts one (nothing persisted) and says so. Ctrl-C / SIGTERM stop
 * everything cleanly: the server closes its sockets, the worker finishes the jobs in hand, each within its
 * grace period (SHUTDOWN_GRACE_MS, WORKER_SHUTDOWN_GRACE_MS); what is still running after that is killed.
 * A second Ctrl-C stops at once.
 *
 * The children never outlive this launcher, however it ends (`kill -9` included): each is spawned with an IPC
 * channel and stops when the channel closes (server/src/lifecycle.ts; redis-server through
 * scripts/own-redis.ts). They run in process groups of their own, so a Ctrl-C reaches this launcher alone
 * and the children are stopped once, in order: the server and the worker first, the Redis they need last.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../core/src/config.js';
import { createLogger } from '../core/src/logger.js';
import { redactRedisUrl, redisStartupProblem } from '../core/src/redis/startup.js';
import { readEnvFile } from './env-file.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Run from dist/ (`npm run start:prod`, after `npm run build`): the children are compiled JavaScript too. */
const compiled = fileURLToPath(import.meta.url).endsWith('.js');
/** How to run one of our entries (given by its source path), from source through tsx or compiled. */
const entry = (source: string): string[] =>
  compiled
    ? [join(root, source.replace(/\.ts$/, '.js'))]
    : // tsx as resolved from here, not from the working directory (which may be elsewhere, holding only a .env)
      ['--conditions=@stickyroom/source', '--import', import.meta.resolve('tsx'), join(root, source)];

// before the config is read, so .env feeds it and the children inherit what it set
let envFile;
try {
  envFile = readEnvFile();
} catch (err) {
  process.stderr.write(`stickyroom: could not read .env: ${(err as Error).message}\n`);
  process.exit(2);
}

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
if (envFile) {
  log.info(
    { file: envFile.path, set: envFile.set, keptFromEnvironment: envFile.kept },
    `read ${envFile.set.length} variable(s) from ${envFile.path}` + (envFile.kept.length ? ` (${envFile.kept.length} already set in the environment kept their values)` : ''),
  );
} else {
  log.info({ file: join(process.cwd(), '.env') }, 'no .env file: configuration from the environment only');
}

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

if (config.NODE_ENV === 'production' || config.REDIS_CLUSTER_NODES) {
  // no Redis of our own in production (it would keep nothing), nor for a cluster (the operator's to run):
  // wait for the configured one, or say why not
  const problem = await redisStartupProblem(config);
  if (problem) {
    log.fatal(problem.fields, problem.msg);
    process.exit(1);
  }
} else if (!(await redisAnswers(config.REDIS_URL))) {
  const url = new URL(config.REDIS_URL);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname);
  if (!local || !redisServerInstalled()) {
    process.stderr.write(
      `stickyroom: no Redis answers at ${redactRedisUrl(config.REDIS_URL)}.\n` +
        (local
          ? '  Install Redis and npm start will run it for you (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis),\n' +
            '  or start one yourself: redis-server --port 6379, or: docker compose up -d redis\n'
          : '  Check REDIS_URL, or point it at a Redis you run (docker compose up -d redis starts one on 6379).\n'),
    );
    process.exit(1);
  }
  const port = url.port || '6379';
  ownRedis = spawn(
    process.execPath,
    [...entry('scripts/own-redis.ts'), '--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], detached: true },
  );
  if (!(await waitFor(() => redisAnswers(config.REDIS_URL), 5000))) {
    ownRedis.kill('SIGTERM');
    process.stderr.write(`stickyroom: started redis-server on port ${port} but it does not answer; see its output above.\n`);
    process.exit(1);
  }
  log.warn({ port: Number(port) }, `no Redis answered at ${config.REDIS_URL}: started redis-server on port ${port} for you (in memory only, stops with stickyroom)`);
}

const names = new Map<ChildProcess, string>();
function run(name: string, source: string): ChildProcess {
  const child = spawn(process.execPath, entry(source), {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: process.env,
    detached: true,
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log.error({ process: name, code, signal }, `${name} exited unexpectedly: stopping`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  names.set(child, name);
  return child;
}

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
const exited = (c: ChildProcess) => (running(c) ? new Promise<void>((r) => c.once('exit', () => r())) : Promise.resolve());
const within = (work: Promise<unknown>, ms: number) => Promise.race([work, new Promise((r) => setTimeout(r, ms).unref())]);

/** The children's own grace periods, and a little for their last log lines. */
const childGraceMs = Math.max(config.SHUTDOWN_GRACE_MS, config.WORKER_SHUTDOWN_GRACE_MS) + 5000;

let stopping = false;
function stop(exitCode = 0): void {
  if (stopping) {
    // asked again: stop now
    log.warn('asked again while stopping: killing what still runs');
    for (const c of children) if (running(c)) c.kill('SIGKILL');
    ownRedis?.kill('SIGTERM');
    process.exit(1);
  }
  stopping = true;
  (async () => {
    for (const c of children) c.kill('SIGTERM');
    await within(Promise.all(children.map(exited)), childGraceMs);
    for (const c of children.filter(running)) {
      log.error({ process: names.get(c), waitedMs: childGraceMs }, `${names.get(c)} did not stop within its grace period: killing it`);
      c.kill('SIGKILL');
    }
    if (ownRedis && running(ownRedis)) {
      ownRedis.kill('SIGTERM');
      await within(exited(ownRedis), 5000);
    }
    log.info('stopped');
    process.exit(exitCode);
  })().catch((err: unknown) => {
    log.error({ err }, 'stopping failed');
    process.exit(1);
  });
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run('server', 'server/src/main.ts');
run('worker', 'worker/src/main.ts');
log.info({ port: config.PORT }, `stickyroom starting: server on http://localhost:${config.PORT}, worker on ${redactRedisUrl(config.REDIS_URL)}`);
