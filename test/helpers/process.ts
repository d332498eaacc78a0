import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface RunningProcess {
  child: ChildProcess;
  /** Lines the process printed (stdout and stderr), for assertions and for failure messages. */
  output: string[];
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  exited: Promise<number | null>;
  /** Resolves with the first line matching `re` (or rejects when the process exits first or time runs out). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs a TypeScript entry (server, worker, launcher) as a real child process. A worker takes a free port for
 * its HTTP (metrics, healthz) unless the test names one: 9465 may be another run's.
 */
export function runTs(entry: string, env: Record<string, string>, args: string[] = []): RunningProcess {
  return runNode(['--conditions=@stickyroom/source', '--import', 'tsx', entry, ...args], env);
}

/** Runs `node <nodeArgs>` (a compiled entry of dist/, say) as a real child process; `cwd` defaults to ours. */
export function runNode(nodeArgs: string[], env: Record<string, string>, cwd?: string): RunningProcess {
  const child = spawn(process.execPath, nodeArgs, {
    env: { ...process.env, WORKER_HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
  });
  const output: string[] = [];
  const waiters: { re: RegExp; resolve(line: string): void }[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output,
    exited,
    // generous: a process started while the whole suite runs on 2 cores can take 20 s to say it listens
    waitFor(re, timeoutMs = 45_000) {
      const seen = output.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} in ${timeoutMs} ms:\n${output.join('\n')}`)), timeoutMs);
        const w = {
          re,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(w);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before printing ${re}:\n${output.join('\n')}`));
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** Starts a server node process on a free port and resolves its URL once it listens. */
export async function startServerProcess(env: Record<string, string>, timeoutMs?: number): Promise<RunningProcess & { url: string }> {
  const p = runTs('server/src/main.ts', { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env });
  // a node that never says it listens (too slow, or a LOG_LEVEL above info) is not left running
  const line = await p.waitFor(/stickyroom server listening/, timeoutMs).catch(async (err: unknown) => {
    await p.stop('SIGKILL');
    throw err;
  });
  const port = (JSON.parse(line) as { port: number }).port;
  return Object.assign(p, { url: `http://127.0.0.1:${port}` });
}
