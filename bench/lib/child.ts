import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProbeReply, type EluReply, type MemoryReply, type ProbeRequest } from './probe-protocol.js';

/** The repository root: children run from here so `--import tsx` and relative entry points resolve. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE_URL = pathToFileURL(fileURLToPath(new URL('./probe.js', import.meta.url)).replace(/\.js$/, '.ts')).href;

export interface SpawnOptions {
  /** Entry file, relative to the repository root. */
  entry: string;
  env?: Record<string, string>;
  /** Load the memory/event-loop probe (and expose gc) in the child. */
  probe?: boolean;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** Label used in error messages. */
  name: string;
}

/** A node child process running a TypeScript entry with an IPC channel; keeps the tail of its output. */
export class NodeChild {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Resolves with how the child ended: `code 0`, `signal SIGKILL`, ... */
  readonly exited: Promise<string>;
  private output = '';
  private nextId = 1;
  private readonly pending = new Map<number, (reply: ProbeReply) => void>();

  constructor(readonly opts: SpawnOptions) {
    const flags = [...(opts.probe ? ['--expose-gc'] : []), '--conditions=@stickyroom/source', '--import', 'tsx', ...(opts.probe ? ['--import', PROBE_URL] : []), ...(opts.nodeFlags ?? [])];
    this.proc = spawn(process.execPath, [...flags, opts.entry], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    if (this.proc.pid === undefined) throw new Error(`${opts.name}: could not start`);
    this.pid = this.proc.pid;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-8000);
    };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${String(code)}`)));
    this.proc.on('message', (raw: unknown) => {
      const reply = ProbeReply.safeParse(raw);
      if (!reply.success) return;
      this.pending.get(reply.data.id)?.(reply.data);
      this.pending.delete(reply.data.id);
    });
  }

  /** The last few KB the child wrote to stdout/stderr, for error messages. */
  tail(): string {
    return this.output.trim();
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  memory(gc: boolean, timeoutMs?: number): Promise<MemoryReply> {
    return this.ask({ probe: 'memory', id: this.nextId++, gc }, timeoutMs) as Promise<MemoryReply>;
  }

  elu(timeoutMs?: number): Promise<EluReply> {
    return this.ask({ probe: 'elu', id: this.nextId++ }, timeoutMs) as Promise<EluReply>;
  }

  /** Starts a CPU profile in the child, or stops it and has the child write it to `file`. */
  async profile(action: 'start' | 'stop', file?: string, timeoutMs?: number): Promise<void> {
    const reply = await this.ask({ probe: 'profile', id: this.nextId++, action, ...(file ? { file } : {}) }, timeoutMs);
    if (reply.probe === 'profile' && !reply.ok) throw new Error(`${this.opts.name}: profile ${action}: ${reply.error ?? 'failed'}`);
  }

  private ask(req: ProbeRequest, timeoutMs = 30_000): Promise<ProbeReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(req.id);
        reject(new Error(`${this.opts.name}: no answer to the ${req.probe} probe within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(req.id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.proc.send(req);
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Resolves on the child's first IPC message `accept` maps to a value; rejects if `accept` throws, the child
 * exits, or the time runs out.
 */
export async function nextMessage<T>(child: NodeChild, accept: (raw: unknown) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    return await new Promise<T>((resolve, reject) => {
      const onMessage = (raw: unknown) => {
        try {
          const v = accept(raw);
          if (v !== undefined) resolve(v);
        } catch (err) {
          reject(err as Error);
        }
      };
      child.proc.on('message', onMessage);
      ac.signal.addEventListener('abort', () => reject(new Error(`${child.opts.name}: no ${what} within ${timeoutMs} ms`)));
      void once(child.proc, 'exit', { signal: ac.signal }).then(
        ([code, signal]) => reject(new Error(`${child.opts.name} exited (${String(signal ?? code)}) before ${what}:\n${child.tail()}`)),
        () => {},
      );
      ac.signal.addEventListener('abort', () => child.proc.off('message', onMessage));
    });
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

/** Rejects as soon as the child exits: race work that needs the child alive against it. */
export function deathOf(child: NodeChild): Promise<never> {
  const death = child.exited.then((how) => {
    throw new Error(`${child.opts.name} exited (${how}) during the run:\n${child.tail()}`);
  });
  death.catch(() => {}); // handled by whoever races it
  return death;
}
