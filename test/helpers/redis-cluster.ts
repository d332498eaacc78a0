import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { freePort } from './redis-server.js';

const run = promisify(execFile);

/** One redis-server of the cluster: its client port, its cluster bus port and its own directory. */
export interface ClusterNode {
  readonly port: number;
  readonly busPort: number;
  readonly dir: string;
  proc: ChildProcess | undefined;
}

const nodeKey = (n: ClusterNode) => `127.0.0.1:${n.port}`;

async function untilTrue(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`redis cluster: ${what} not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A key whose slot is in `from`..`to` (a probe write to the primary that serves them). */
function keyInSlots(from: number, to: number): string {
  for (let i = 0; ; i++) {
    const key = `{probe-${i}}`;
    const slot = calculateSlot(key);
    if (slot >= from && slot <= to) return key;
  }
}

/** A short-lived client to one node, for the helper's own questions. */
async function ask<T>(n: ClusterNode, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(n.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  r.on('error', () => {});
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

/**
 * A local Redis Cluster for tests: three primaries and three replicas on free loopback ports, each a
 * `redis-server --cluster-enabled yes` with a short node timeout, no persistence and `noeviction`, in its own
 * temporary directory, joined by `redis-cli --cluster create`. `remove()` stops every node and deletes the
 * directories. A node can be killed (a failover) and started again (it rejoins, as a replica if its slots
 * moved meanwhile).
 */
export class RedisCluster {
  private constructor(
    readonly nodes: readonly ClusterNode[],
    readonly nodeTimeoutMs: number,
  ) {}

  static async start({ nodeTimeoutMs = 1000 }: { nodeTimeoutMs?: number } = {}): Promise<RedisCluster> {
    const nodes: ClusterNode[] = [];
    const ports = new Set<number>();
    while (ports.size < 12) ports.add(await freePort());
    const [...free] = ports;
    for (let i = 0; i < 6; i++) {
      nodes.push({ port: free[2 * i]!, busPort: free[2 * i + 1]!, dir: mkdtempSync(join(tmpdir(), 'stickyroom-cluster-')), proc: undefined });
    }
    const cluster = new RedisCluster(nodes, nodeTimeoutMs);
    try {
      await Promise.all(nodes.map((n) => cluster.startNode(n)));
      await run('redis-cli', ['--cluster', 'create', ...nodes.map(nodeKey), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
      await cluster.waitHealthy();
    } catch (err) {
      await cluster.remove();
      throw err;
    }
    return cluster;
  }

  /** `host:port,...` of every node, as REDIS_CLUSTER_NODES takes it. */
  get seeds(): string {
    return this.nodes.map(nodeKey).join(',');
  }

  /** Starts a node (again, after a kill: same port and directory, so it rejoins with its nodes.conf). */
  async startNode(n: ClusterNode): Promise<void> {
    n.proc = spawn(
      'redis-server',
      [
        '--port', String(n.port),
        '--cluster-port', String(n.busPort),
        '--bind', '127.0.0.1',
        '--dir', n.dir,
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', String(this.nodeTimeoutMs),
        '--save', '',
        '--appendonly', 'no',
        '--maxmemory-policy', 'noeviction',
        // a node that rejoins as a replica syncs at once (Redis waits 5 s by default for more replicas to
        // share the transfer): until it has, its primary has no replica and claims are not acknowledged
        '--repl-diskless-sync-delay', '0',
      ],
      { stdio: 'ignore' },
    );
    await untilTrue(`node ${n.port} answering`, () => ask(n, async (r) => (await r.ping()) === 'PONG'), 10_000);
  }

  /** SIGKILLs a node, as a crash would. */
  async kill(n: ClusterNode): Promise<void> {
    const p = n.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }

  alive(n: ClusterNode): boolean {
    return !!n.proc && n.proc.exitCode === null && n.proc.signalCode === null;
  }

  /** The node that serves `key`'s slot as primary now, as the live nodes see it. */
  async primaryOf(key: string): Promise<ClusterNode> {
    const slot = calculateSlot(key);
    const live = this.nodes.find((n) => this.alive(n));
    if (!live) throw new Error('no live node');
    const slots = await ask(live, (r) => r.cluster('SLOTS'));
    const range = slots.find(([from, to]) => slot >= from && slot <= to);
    const port = range?.[2]?.[1];
    if (port === undefined) throw new Error(`slot ${slot} is not served`);
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`slot ${slot}: unknown node ${port}`);
    return node;
  }

  /**
   * Every live node says cluster_state:ok and sees every slot served by a live primary, every live replica's
   * link to its primary is up, and a replica confirms each primary's writes (`WAIT 1`), as stickyroom's
   * replicated calls need before they acknowledge (core/src/redis/replica-ack.ts): a node that rejoined as a
   * replica reports its link up some hundreds of ms before it confirms writes.
   */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    await untilTrue(
      'cluster healthy',
      async () => {
        const live = this.nodes.filter((n) => this.alive(n));
        for (const n of live) {
          const info = await ask(n, (r) => r.cluster('INFO'));
          if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return false;
          const repl = await ask(n, (r) => r.info('replication'));
          if (/role:slave/.test(repl) && !/master_link_status:up/.test(repl)) return false;
          if (/role:slave/.test(repl) && /master_sync_in_progress:1/.test(repl)) return false;
        }
        const livePorts = new Set(live.map((n) => n.port));
        const slots = await ask(live[0]!, (r) => r.cluster('SLOTS'));
        if (slots.reduce((sum, [from, to]) => sum + to - from + 1, 0) !== 16384 || !slots.every((s) => livePorts.has(s[2]?.[1] ?? -1))) return false;
        for (const [from, to, owner] of slots) {
          const primary = live.find((n) => n.port === owner?.[1])!;
          const probe = keyInSlots(from, to);
          const confirmed = await ask(primary, async (r) => {
            await r.set(probe, '1');
            const replicas = await r.wait(1, 100);
            await r.del(probe);
            return replicas;
          });
          if (confirmed < 1) return false;
        }
        return true;
      },
      timeoutMs,
    );
  }

  /** Waits until `key`'s slot is served by a live primary other than `old` (a failover done). */
  async waitTakenOver(key: string, old: ClusterNode, timeoutMs = 30_000): Promise<ClusterNode> {
    let now: ClusterNode | undefined;
    await untilTrue(
      `failover of ${key}'s slot`,
      async () => {
        now = await this.primaryOf(key);
        if (now === old || !this.alive(now)) return false;
        return /cluster_state:ok/.test(await ask(now, (r) => r.cluster('INFO')));
      },
      timeoutMs,
    );
    return now!;
  }

  /** Error replies the live nodes sent, by error prefix (Redis 7 `INFO errorstats`), summed over the nodes. */
  async errorStats(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const n of this.nodes.filter((x) => this.alive(x))) {
      const info = await ask(n, (r) => r.info('errorstats'));
      for (const m of info.matchAll(/^errorstat_([A-Z]+):count=(\d+)/gm)) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
    }
    return out;
  }

  /** How many times the live nodes ran `command` (INFO commandstats), summed over the nodes. */
  async commandCalls(command: string): Promise<number> {
    let n = 0;
    for (const node of this.nodes.filter((x) => this.alive(x))) {
      const info = await ask(node, (r) => r.info('commandstats'));
      n += Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    }
    return n;
  }

  /** Clients SSUBSCRIBEd to a sharded channel, over every live node (primaries and replicas). */
  async shardSubscribers(channel: string): Promise<number> {
    let n = 0;
    for (const node of this.nodes.filter((x) => this.alive(x))) n += Number(((await ask(node, (r) => r.call('PUBSUB', 'SHARDNUMSUB', channel))) as [string, number])[1]);
    return n;
  }

  /** A plain cluster client for a test's own reads (close it). */
  client(): import('ioredis').Cluster {
    return new Redis.Cluster(this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), { redisOptions: { maxRetriesPerRequest: 1 } });
  }

  /** Stops every node and deletes their directories. */
  async remove(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n)));
    for (const n of this.nodes) rmSync(n.dir, { recursive: true, force: true });
  }
}

/** Errors that must never reach the application on a cluster: a multi-slot call, or a redirection ioredis did not follow. */
export const REDIRECTION_ERRORS = /CROSSSLOT|\bMOVED \d+|\bASK \d+|non local key|should belong to the same slot|same slots allocation group/;

/**
 * A logger (warn and up) whose lines a test reads: the server and worker log every unexpected error, so a
 * CROSSSLOT, MOVED or ASK that reached the application shows up in `redirections()`.
 */
export function captureLog(name = 'cluster-test'): { log: Logger; lines: string[]; redirections(): string[]; errors(): string[] } {
  const lines: string[] = [];
  const log = pino({ level: 'warn', name }, { write: (line: string) => void lines.push(line) });
  return {
    log,
    lines,
    // ioredis giving up after following redirections to a node that is gone is an outage (a failover), not a leak
    redirections: () => lines.filter((l) => REDIRECTION_ERRORS.test(l) && !/Too many Cluster redirections/.test(l)),
    errors: () => lines.filter((l) => /"level":(50|60)/.test(l)),
  };
}
