/**
 * The Redis outage chaos scenario (issue 7, DESIGN §10), shared by `test/chaos/redis-outage.test.ts` (a few
 * rounds in `npm test`) and `npm run soak` (many rounds): two server node PROCESSES and a worker process over
 * a private redis-server with an append-only file; viewers spread over both nodes chat, react, heartbeat and
 * claim coupons without pause; each round kills Redis with SIGKILL, keeps it down until both nodes have
 * answered `unavailable` for a while, starts it again on the same port and measures how long chat across
 * nodes, claims, joins and `/readyz` take to work again.
 *
 * It checks and reports, it does not assert: the test asserts on the report, the soak prints it.
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { TokenService } from '../../core/src/identity/tokens.js';
import { TEST_JWT_SECRET, TEST_WEBHOOK_SECRET } from '../helpers/app.js';
import { runTs, startServerProcess, type RunningProcess } from '../helpers/process.js';
import { PrivateRedis } from '../helpers/redis-server.js';
import { uniquePrefix } from '../helpers/redis.js';

export interface ScenarioOptions {
  rounds: number;
  /** Viewer sockets, spread evenly over the two nodes. */
  viewers?: number;
  /** Each viewer sends one event (chat, reaction, heartbeat or claim, in turn) this often. */
  eventEveryMs?: number;
  /** Redis stays down until each node has answered this many requests with `unavailable`. */
  unavailablePerNode?: number;
  /** A probe that has not passed this long after Redis answers again counts as not recovered. */
  probeGiveUpMs?: number;
  /** Progress lines (the soak prints them). */
  print?: (line: string) => void;
}

export type Code = string; // an error code, 'ok', or 'timeout' (no answer within ACK_TIMEOUT_MS)

export interface RoundFigures {
  round: number;
  /** Kill → the first `unavailable` answer any viewer got. */
  detectMs: number;
  /** Kill → Redis answering again (how long this outage lasted). */
  downMs: number;
  /** First → last `unavailable` answer of the round: how long viewers were told to retry. */
  unavailableWindowMs: number;
  /** Redis answering again → every probe passed (readyz on both nodes, chat both ways, claims, joins). */
  recoveryMs: number;
  /** Redis answering again → each probe passed. */
  recoveredAfter: Record<Probe, number>;
  /** Answers by code, for requests sent while Redis was down. */
  whileDown: Record<Code, number>;
  /** Answers by code, for every request of the round. */
  codes: Record<Code, number>;
}

export type Probe = 'readyz' | 'chat' | 'claim' | 'join';

export interface ScenarioReport {
  rounds: RoundFigures[];
  /** Answers by code for requests sent once the round had recovered (all must be `ok`). */
  afterRecovery: Record<Code, number>;
  /** `unavailable` answers without a positive `retryAfterMs`. */
  unavailableWithoutRetryAfter: number;
  /** Processes (server nodes, worker) that exited during the run, with their code. */
  exits: string[];
  /** Log lines in which a process reported an unhandled rejection or an uncaught exception. */
  unhandled: string[];
  /** Every check that failed, in words (empty when the run passed). */
  problems: string[];
  /** What each process printed, by process name. */
  logs: Record<string, string[]>;
}

const ACK_TIMEOUT_MS = 8000;
const BRAND = 'brand-chaos';
const ACTIONS = ['chat:send', 'reaction:send', 'presence:heartbeat', 'coupon:claim'] as const;
/** What the process policy (server/src/lifecycle.ts) logs; any of these lines fails the run. */
export const POLICY_LINE = /"msg":"(unhandled promise rejection|uncaught exception[^"]*)"/;

type Ack = { ok: true } | { ok: false; error: { code: string; retryAfterMs?: number } };
type Phase = 'up' | 'down' | 'back' | 'recovered';

interface Client {
  socket: Socket;
  node: number;
  busy: boolean;
  turn: number;
}

const now = () => performance.now();

function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

function request(socket: Socket, event: string, payload: unknown): Promise<Ack | 'timeout'> {
  return new Promise((resolve) => {
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err: Error | null, res: Ack) => resolve(err ? 'timeout' : res));
  });
}

const codeOf = (a: Ack | 'timeout'): Code => (a === 'timeout' ? 'timeout' : a.ok ? 'ok' : a.error.code);
const bump = (m: Record<Code, number>, code: Code) => {
  m[code] = (m[code] ?? 0) + 1;
};

/** Resolves true when `check` first holds (it is re-run on every `poke`), false after `timeoutMs`. */
class Waiters {
  private readonly list: { check: () => boolean; resolve(ok: boolean): void }[] = [];
  until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = {
        check,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          this.list.splice(this.list.indexOf(w), 1);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => w.resolve(false), timeoutMs);
      this.list.push(w);
    });
  }
  poke(): void {
    for (const w of [...this.list]) if (w.check()) w.resolve(true);
  }
}

/** Retries `attempt` every `everyMs` until it returns true or `giveUpMs` passes; resolves the time it passed. */
async function retryUntil(attempt: () => Promise<boolean>, giveUpMs: number, everyMs = 150): Promise<number | undefined> {
  const until = now() + giveUpMs;
  while (now() < until) {
    if (await attempt().catch(() => false)) return now();
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return undefined;
}

export async function runOutageScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const { rounds, viewers = 200, eventEveryMs = 1200, unavailablePerNode = 20, probeGiveUpMs = 15_000, print = () => {} } = options;
  const problems: string[] = [];
  const figures: RoundFigures[] = [];
  const afterRecovery: Record<Code, number> = {};
  let unavailableWithoutRetryAfter = 0;
  const exits: string[] = [];
  const processes: { name: string; p: RunningProcess }[] = [];
  const sockets: Socket[] = [];
  const redis = await PrivateRedis.start({ persist: true });
  let stopping = false;
  let load: NodeJS.Timeout | undefined;

  try {
    const env = {
      NODE_ENV: 'test',
      REDIS_URL: redis.url,
      REDIS_PREFIX: uniquePrefix('outage'),
      JWT_SECRET: TEST_JWT_SECRET,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      LOG_LEVEL: 'info',
      CHAT_RATE_LIMIT: '1000',
      CHAT_RATE_WINDOW_SEC: '1',
      ROLLUP_EVERY_SEC: '1',
      STATS_INTERVAL_MS: '500',
    };
    const starting = await Promise.allSettled([startServerProcess(env), startServerProcess(env)]);
    starting.forEach((s, i) => s.status === 'fulfilled' && processes.push({ name: `server node ${i + 1}`, p: s.value }));
    const nodes = starting.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
    const worker = runTs('worker/src/main.ts', env);
    processes.push({ name: 'worker', p: worker });
    await worker.waitFor(/stickyroom worker running/);
    for (const { name, p } of processes) {
      p.child.once('exit', (code, signal) => {
        if (!stopping) exits.push(`${name} exited (code ${code}, signal ${signal})`);
      });
    }

    const tokens = new TokenService(TEST_JWT_SECRET);
    const hostToken = await tokens.sign({ sub: 'host', role: 'streamer', brandId: BRAND }, '2h');
    const http = async (node: number, method: string, path: string, body?: unknown) => {
      const res = await fetch(nodes[node]!.url + path, {
        method,
        headers: { authorization: `Bearer ${hostToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
    };
    const created = await http(0, 'POST', '/api/streams', { title: 'chaos' });
    const streamId = created.body?.id as string;
    if (created.status !== 201 || (await http(1, 'POST', `/api/streams/${streamId}/start`)).status !== 200) throw new Error('could not create and start the stream');

    const host = await connect(nodes[0]!.url, hostToken);
    sockets.push(host);
    let dropId = '';
    const newDrop = async () => {
      const res = await request(host, 'coupon:drop', {
        streamId,
        title: 'chaos drop',
        discount: { type: 'percent', value: 10 },
        quantity: 1_000_000,
        perViewer: 100,
        durationSec: 3600,
      });
      if (res === 'timeout' || !res.ok) throw new Error(`coupon:drop: ${codeOf(res)}`);
      dropId = (res as unknown as { drop: { id: string } }).drop.id;
    };
    await newDrop();

    const viewerToken = (sub: string) => tokens.sign({ sub, role: 'viewer' }, '2h');
    const joined = async (node: number, sub: string): Promise<Socket> => {
      const s = await connect(nodes[node]!.url, await viewerToken(sub));
      sockets.push(s);
      const res = await request(s, 'room:join', { streamId });
      if (res === 'timeout' || !res.ok) throw new Error(`room:join: ${codeOf(res)}`);
      return s;
    };

    const clients: Client[] = [];
    for (let i = 0; i < viewers; i += 25) {
      const batch = Array.from({ length: Math.min(25, viewers - i) }, (_, k) => i + k);
      clients.push(...(await Promise.all(batch.map(async (n) => ({ socket: await joined(n % 2, `viewer-${n}`), node: n % 2, busy: false, turn: n })))));
    }
    // Probe viewers: one per node, to see chat cross between nodes and claims succeed on each.
    const probes = [await joined(0, 'probe-0'), await joined(1, 'probe-1')];
    const heard = [new Set<string>(), new Set<string>()];
    const waiters = new Waiters();
    probes.forEach((s, node) => {
      const hear = (texts: string[]) => {
        for (const t of texts) if (t.startsWith('probe')) heard[node]!.add(t);
        waiters.poke();
      };
      s.on('chat:batch', (b: { messages: { text: string }[] }) => hear(b.messages.map((m) => m.text)));
      s.on('chat:message', (m: { text: string }) => hear([m.text]));
    });
    print(`${viewers} viewers joined over 2 nodes; stream ${streamId}`);

    // The load: every viewer sends one event per eventEveryMs, in turn, never two at once.
    let phase: Phase = 'up';
    let kills = 0;
    let round: { whileDown: Record<Code, number>; codes: Record<Code, number>; unavailable: number[]; perNode: number[]; ok: number } = {
      whileDown: {},
      codes: {},
      unavailable: [],
      perNode: [0, 0],
      ok: 0,
    };
    let sent = 0;
    const tickMs = 20;
    const perTick = Math.max(1, Math.round((viewers * tickMs) / eventEveryMs));
    let next = 0;
    const fire = (c: Client) => {
      const event = ACTIONS[c.turn++ % ACTIONS.length]!;
      const payload =
        event === 'chat:send'
          ? { streamId, text: `hello ${sent}` }
          : event === 'reaction:send'
            ? { streamId, kind: 'like', count: 1 }
            : event === 'presence:heartbeat'
              ? { streamId, visible: true }
              : { dropId, opId: `op-${sent}` };
      sent++;
      const sentIn = phase;
      const killsAtSend = kills;
      const r = round;
      c.busy = true;
      void request(c.socket, event, payload).then((ack) => {
        c.busy = false;
        const code = codeOf(ack);
        bump(r.codes, code);
        if (sentIn === 'down') bump(r.whileDown, code);
        // sent after a recovery and answered before the next kill
        if (sentIn === 'recovered' && phase === 'recovered' && kills === killsAtSend) {
          bump(afterRecovery, code);
          if (code !== 'ok') problems.push(`${event} sent to node ${c.node + 1} after recovery was answered ${JSON.stringify(ack)}`);
        }
        if (code === 'ok') r.ok++;
        if (code === 'unavailable') {
          r.unavailable.push(now());
          r.perNode[c.node]!++;
          const retry = (ack as { error: { retryAfterMs?: number } }).error.retryAfterMs;
          if (!(typeof retry === 'number' && retry > 0)) unavailableWithoutRetryAfter++;
        }
        waiters.poke();
      });
    };
    load = setInterval(() => {
      for (let k = 0; k < perTick; k++) {
        const c = clients[next++ % clients.length]!;
        if (!c.busy) fire(c);
      }
    }, tickMs);

    const readyz = async (node: number) => (await fetch(nodes[node]!.url + '/readyz')).status;

    for (let r = 1; r <= rounds; r++) {
      round = { whileDown: {}, codes: {}, unavailable: [], perNode: [0, 0], ok: 0 };
      if (r > 1) await newDrop();
      const flowing = await waiters.until(() => round.ok >= viewers, 30_000);
      if (!flowing) problems.push(`round ${r}: the load did not flow before the kill (${JSON.stringify(round.codes)})`);

      const killedAt = now();
      phase = 'down';
      kills++;
      await redis.stop();
      const noticed = await waiters.until(() => round.perNode.every((n) => n >= unavailablePerNode), 20_000);
      if (!noticed) problems.push(`round ${r}: nodes answered unavailable only ${round.perNode.join(' / ')} times in 20 s`);
      const noticedAt = now();
      const notReady = await retryUntil(async () => (await readyz(0)) === 503 && (await readyz(1)) === 503, 5000);
      if (notReady === undefined) problems.push(`round ${r}: /readyz did not answer 503 on both nodes while Redis was down`);

      const restartAt = now();
      await redis.start();
      const upAt = now();
      print(`  (kill → ${unavailablePerNode} unavailable per node ${Math.round(noticedAt - killedAt)} ms, → readyz 503 ${Math.round(restartAt - noticedAt)} ms, restart ${Math.round(upAt - restartAt)} ms)`);
      phase = 'back';
      const tag = `probe r${r}`;
      let said = 0;
      const chatCrosses = (from: number) => async () => {
        const text = `${tag} from ${from} #${said++}`;
        const ack = await request(probes[from]!, 'chat:send', { streamId, text });
        if (codeOf(ack) !== 'ok') return false;
        const to = 1 - from;
        return waiters.until(() => heard[to]!.has(text), 1000);
      };
      const claims = (node: number) => async () => codeOf(await request(probes[node]!, 'coupon:claim', { dropId, opId: `${tag}-${node}-${said++}` })) === 'ok';
      const joins = (node: number) => async () => {
        const s = await connect(nodes[node]!.url, await viewerToken(`late-${r}-${node}-${said++}`));
        try {
          return codeOf(await request(s, 'room:join', { streamId })) === 'ok';
        } finally {
          s.close();
        }
      };
      const passed = async (attempts: (() => Promise<boolean>)[]) => {
        const at = await Promise.all(attempts.map((a) => retryUntil(a, probeGiveUpMs)));
        return at.some((t) => t === undefined) ? undefined : Math.max(...(at as number[]));
      };
      const [readyAt, chatAt, claimAt, joinAt] = await Promise.all([
        passed([async () => (await readyz(0)) === 200, async () => (await readyz(1)) === 200]),
        passed([chatCrosses(0), chatCrosses(1)]),
        passed([claims(0), claims(1)]),
        passed([joins(0), joins(1)]),
      ]);
      phase = 'recovered';
      const after = (t: number | undefined) => (t === undefined ? Number.POSITIVE_INFINITY : Math.round(t - upAt));
      const recoveredAfter: Record<Probe, number> = { readyz: after(readyAt), chat: after(chatAt), claim: after(claimAt), join: after(joinAt) };
      for (const [probe, ms] of Object.entries(recoveredAfter)) {
        if (!Number.isFinite(ms)) problems.push(`round ${r}: ${probe} did not recover within ${probeGiveUpMs} ms of Redis answering again`);
      }
      const u = round.unavailable;
      const f: RoundFigures = {
        round: r,
        detectMs: u.length ? Math.round(Math.min(...u) - killedAt) : Number.NaN,
        downMs: Math.round(upAt - killedAt),
        unavailableWindowMs: u.length ? Math.round(Math.max(...u) - Math.min(...u)) : 0,
        recoveryMs: Math.max(...Object.values(recoveredAfter)),
        recoveredAfter,
        whileDown: round.whileDown,
        codes: round.codes,
      };
      figures.push(f);
      print(
        `round ${r}: down ${f.downMs} ms, first unavailable after ${f.detectMs} ms, unavailable for ${f.unavailableWindowMs} ms, ` +
          `recovered in ${f.recoveryMs} ms (${Object.entries(recoveredAfter).map(([k, v]) => `${k} ${v}`).join(', ')}), answers ${JSON.stringify(f.codes)}`,
      );
    }

    // the load after the last recovery: every viewer once more
    const lastRound = round;
    const settled = await waiters.until(() => lastRound.ok >= 2 * viewers, 30_000);
    if (!settled) problems.push(`the load did not flow again after the last round (${JSON.stringify(lastRound.codes)})`);
    clearInterval(load);
    load = undefined;
    // the last answers of the load
    await waiters.until(() => clients.every((c) => !c.busy), ACK_TIMEOUT_MS + 1000);
  } catch (err) {
    problems.push(`the scenario broke off: ${(err as Error).message}`);
  } finally {
    if (load) clearInterval(load);
    for (const s of sockets) s.close();
  }

  for (const f of figures) {
    const bad = Object.keys(f.codes).filter((c) => c !== 'ok' && c !== 'unavailable');
    if (bad.length) problems.push(`round ${f.round}: answers other than ok/unavailable: ${JSON.stringify(f.codes)}`);
    if (!f.whileDown.unavailable) problems.push(`round ${f.round}: no request sent while Redis was down was answered unavailable`);
  }
  const notOk = Object.keys(afterRecovery).filter((c) => c !== 'ok');
  if (notOk.length) problems.push(`requests sent after recovery were answered ${JSON.stringify(afterRecovery)}`);
  if (unavailableWithoutRetryAfter) problems.push(`${unavailableWithoutRetryAfter} unavailable answers came without retryAfterMs`);

  // Every process must still be running now; then stop them and read what they logged.
  const alive = processes.filter(({ p }) => p.child.exitCode === null && p.child.signalCode === null).length;
  if (alive !== processes.length || exits.length) problems.push(`processes exited: ${exits.join('; ') || 'unknown'}`);
  stopping = true;
  await Promise.all(processes.map(({ p }) => p.stop('SIGTERM')));
  const unhandled = processes.flatMap(({ name, p }) => p.output.filter((l) => POLICY_LINE.test(l)).map((l) => `${name}: ${l}`));
  if (unhandled.length) problems.push(`${unhandled.length} unhandled rejections / uncaught exceptions were logged`);
  await redis.remove();

  const logs = Object.fromEntries(processes.map(({ name, p }) => [name, p.output]));
  return { rounds: figures, afterRecovery, unavailableWithoutRetryAfter, exits, unhandled, problems, logs };
}
