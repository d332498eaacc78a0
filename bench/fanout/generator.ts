/**
 * One load-generator process of the fan-out benchmark (spawned by orchestrate.ts, driven over IPC).
 * Raw socket.io-client sockets, no SDK: the less CPU the generator spends per message, the more the
 * benchmark measures the server. Every loop is bounded by a count or a deadline; the process exits by
 * itself if its parent goes away.
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { TokenService } from '../../core/src/identity/tokens.js';
import { Histogram } from '../lib/histogram.js';
import { newCounts, RawClient } from '../lib/raw-client.js';
import { connectViewer } from '../lib/raw-viewers.js';
import { chatText, FromGenerator, sentAtOf, ToGenerator, type GeneratorInit, type GeneratorRun } from './protocol.js';
import { onRepeatedFrame } from '../lib/repeated-frame.js';
import { bump } from '../lib/tally.js';

type AckReply = { ok: boolean; error?: { code?: string } };

function send(msg: FromGenerator): void {
  process.send?.(msg);
}

let windowStart = Infinity;
let windowEnd = Infinity;
let drainEnd = Infinity;
let closing = false;

const latency = new Histogram();
const ackLatency = new Histogram(30_000);
const received = { total: 0, inWindow: 0, ofWindowMessages: 0, framesInWindow: 0 };
const sent = { total: 0, inWindow: 0 };
const acks = { ok: 0, errors: {} as Record<string, number> };
let disconnects = 0;

const sockets: Socket[] = [];
/** The count-only viewers (raw WebSockets), and how many viewers decode. */
const counted: RawClient[] = [];
const counts = newCounts();
let decodedViewers = 0;
const senders: { socket: Socket; index: number; seq: number }[] = [];

function take(message: { text?: unknown } | undefined, now: number, inWindow: boolean): void {
  const sentAt = sentAtOf(message?.text);
  if (Number.isNaN(sentAt)) return;
  received.total++;
  if (inWindow) {
    received.inWindow++;
    latency.record(now - sentAt);
  }
  if (sentAt >= windowStart && sentAt < windowEnd && now < drainEnd) received.ofWindowMessages++;
}

// Shared listeners (not one closure per socket) keep the generator's own memory and CPU small.
function onMessage(message: { text?: unknown } | undefined): void {
  const now = Date.now();
  if (now >= windowStart) advance(now);
  const inWindow = now >= windowStart && now < windowEnd;
  if (inWindow) received.framesInWindow++;
  take(message, now, inWindow);
}

function onBatch(batch: { messages?: unknown } | undefined): void {
  const messages = batch?.messages;
  if (!Array.isArray(messages)) return;
  const now = Date.now();
  if (now >= windowStart) advance(now);
  const inWindow = now >= windowStart && now < windowEnd;
  if (inWindow) received.framesInWindow++;
  for (const m of messages) take(m as { text?: unknown }, now, inWindow);
}

const BATCH = Buffer.from('["chat:batch"');
const SINGLE = Buffer.from('["chat:message"');
/** Each message of a batch has one `text` field, and a JSON string cannot hold these bytes unescaped. */
const TEXT_FIELD = Buffer.from('"text":"');

/** Whether `json` begins with `prefix`, compared in place (this runs for every frame of the counting viewers). */
const startsWith = (json: Buffer, prefix: Buffer): boolean => json.length >= prefix.length && json.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;

/** The messages of a `chat:batch` frame, counted in its bytes: one search per message, once per distinct frame. */
const batchMessages = onRepeatedFrame((json) => {
  let n = 0;
  for (let at = json.indexOf(TEXT_FIELD, BATCH.length); at !== -1; at = json.indexOf(TEXT_FIELD, at + TEXT_FIELD.length)) n++;
  return n;
});

/** The chat messages a push carries, counted in its bytes without decoding them. */
function messagesIn(json: Buffer): number {
  if (startsWith(json, SINGLE)) return 1;
  if (!startsWith(json, BATCH)) return 0;
  return batchMessages(json);
}

// A count-only viewer's push: counted as deliveries (in the window), never decoded.
function onCountedPush(json: Buffer): void {
  const n = messagesIn(json);
  if (n === 0) return;
  const now = Date.now();
  if (now >= windowStart) advance(now);
  received.total += n;
  if (now >= windowStart && now < windowEnd) {
    received.framesInWindow++;
    received.inWindow += n;
  }
}

function onDisconnect(): void {
  if (!closing) disconnects++;
}

function connectOne(init: GeneratorInit, token: string, viewer: boolean): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(init.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: init.ackTimeoutMs,
      auth: { token },
    });
    if (viewer) {
      socket.on('chat:message', onMessage);
      socket.on('chat:batch', onBatch);
    }
    socket.once('connect_error', (err: Error) => {
      socket.close();
      reject(new Error(`connect: ${err.message}`));
    });
    socket.once('connect', () => {
      socket.timeout(init.ackTimeoutMs).emit('room:join', { streamId: init.streamId }, (err: Error | null, res: AckReply) => {
        if (err) reject(new Error('join: ack timeout'));
        else if (!res?.ok) reject(new Error(`join: ${res?.error?.code ?? 'refused'}`));
        else {
          socket.on('disconnect', onDisconnect);
          resolve(socket);
        }
      });
    });
  });
}

async function connectAll(init: GeneratorInit): Promise<void> {
  const started = performance.now();
  const tokens = new TokenService(init.jwtSecret);
  const plan: { id: string; viewer: boolean; index: number }[] = [];
  for (let i = 0; i < init.senders.count; i++) plan.push({ id: `s${init.senders.from + i}`, viewer: false, index: init.senders.from + i });
  for (let i = 0; i < init.viewers.count; i++) plan.push({ id: `v${init.viewers.from + i}`, viewer: true, index: init.viewers.from + i });
  const errors: Record<string, number> = {};
  let failed = 0;
  const countOnly = { url: init.url, ackTimeoutMs: init.ackTimeoutMs, streamId: init.streamId, counts, onPush: onCountedPush };
  for (let at = 0; at < plan.length; at += init.wave) {
    const wave = plan.slice(at, at + init.wave);
    const results = await Promise.allSettled(
      wave.map(async (p): Promise<Socket | RawClient> => {
        const token = await tokens.sign({ sub: p.id, role: 'viewer', name: p.id }, '2h');
        if (!p.viewer || p.index % init.sampleEvery === 0) return connectOne(init, token, p.viewer);
        return connectViewer(countOnly, token);
      }),
    );
    results.forEach((r, i) => {
      const p = wave[i]!;
      if (r.status === 'fulfilled') {
        const socket = r.value;
        if (socket instanceof RawClient) counted.push(socket);
        else {
          sockets.push(socket);
          if (!p.viewer) senders.push({ socket, index: p.index, seq: 0 });
          else decodedViewers++;
        }
      } else {
        failed++;
        bump(errors, (r.reason as Error).message);
      }
    });
  }
  send({
    type: 'connected',
    viewers: sockets.length - senders.length + counted.length,
    decoded: decodedViewers,
    senders: senders.length,
    failed,
    errors,
    ms: performance.now() - started,
  });
}

function sendOne(init: GeneratorInit, sender: { socket: Socket; index: number; seq: number }): void {
  const sentAt = Date.now();
  sent.total++;
  if (sentAt >= windowStart && sentAt < windowEnd) sent.inWindow++;
  const t0 = performance.now();
  sender.socket
    .timeout(init.ackTimeoutMs)
    .emit('chat:send', { streamId: init.streamId, text: chatText(sentAt, sender.index, ++sender.seq) }, (err: Error | null, res: AckReply) => {
      if (err) bump(acks.errors, 'ack_timeout');
      else if (res?.ok) {
        acks.ok++;
        ackLatency.record(performance.now() - t0);
      } else bump(acks.errors, res?.error?.code ?? 'unknown');
    });
}

/** Sends `rate` messages per second round-robin over the senders, on schedule (catching up after a stall). */
function runSenders(init: GeneratorInit, run: GeneratorRun): void {
  if (senders.length === 0 || init.rate <= 0) return;
  let due = 0;
  const tick = () => {
    const now = Date.now();
    if (now >= run.windowEnd) return clearInterval(timer);
    const target = Math.floor(((now - run.sendStart) * init.rate) / 1000) + 1;
    while (due < target) sendOne(init, senders[due++ % senders.length]!);
  };
  const timer = setInterval(tick, 5);
  tick();
}

/**
 * The run's phases advance on timers and also on every received frame: a generator flooded with frames
 * runs long event-loop turns in which timers are late, and must still close its window and report on time.
 */
const phases = { eluStart: performance.eventLoopUtilization(), elu: 0, step: 'waiting' as 'waiting' | 'window' | 'drain' | 'done' };

function advance(now: number): void {
  if (phases.step === 'waiting' && now >= windowStart) {
    phases.eluStart = performance.eventLoopUtilization();
    phases.step = 'window';
  }
  if (phases.step === 'window' && now >= windowEnd) {
    phases.elu = performance.eventLoopUtilization(phases.eluStart).utilization;
    phases.step = 'drain';
  }
  if (phases.step === 'drain' && now >= drainEnd) {
    phases.step = 'done';
    send({
      type: 'report',
      received: { ...received },
      latency: latency.toJSON(),
      sent: { ...sent },
      acks: { ok: acks.ok, errors: acks.errors, latency: ackLatency.toJSON() },
      disconnects: disconnects + counted.filter((c) => c.closedBy !== undefined && c.closedBy !== 'us').length,
      elu: phases.elu,
    });
  }
}

function scheduleRun(init: GeneratorInit, run: GeneratorRun): void {
  windowStart = run.windowStart;
  windowEnd = run.windowEnd;
  drainEnd = run.drainEnd;
  setTimeout(() => runSenders(init, run), Math.max(0, run.sendStart - Date.now()));
  for (const at of [run.windowStart, run.windowEnd, run.drainEnd]) setTimeout(() => advance(Date.now()), Math.max(0, at - Date.now()) + 1);
}

/** Exits at once: waiting for graceful closes behind a backlog of frames could take minutes. */
function closeAll(): void {
  closing = true;
  for (const s of sockets) s.disconnect();
  for (const c of counted) c.close();
  process.exit(0);
}

let init: GeneratorInit | undefined;
process.on('message', (raw: unknown) => {
  const parsed = ToGenerator.safeParse(raw);
  if (!parsed.success) return send({ type: 'fatal', message: `bad message: ${parsed.error.message}` });
  const msg = parsed.data;
  if (msg.type === 'init') {
    init = msg;
    connectAll(msg).catch((err: unknown) => send({ type: 'fatal', message: (err as Error).message }));
  } else if (msg.type === 'run') {
    if (!init) return send({ type: 'fatal', message: 'run before init' });
    scheduleRun(init, msg);
  } else closeAll();
});
// Never outlive the orchestrator.
process.on('disconnect', closeAll);
