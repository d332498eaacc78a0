/**
 * The room benchmark's sampler process (driven over IPC, protocol.ts): a few hundred raw sockets that
 * decode the chat they receive (send-to-receive latency, sliced by send time), send the room's chat and
 * reactions, heartbeat, and claim in the burst. Every wait is bounded; the process exits by itself if its
 * parent goes away.
 */
import { performance } from 'node:perf_hooks';
import { FRESH_CLAIM_PROTOCOL } from '@stickyroom/sdk/protocol';
import { Histogram } from '../lib/histogram.js';
import { ackBody, ackOk, newCounts, type RawClient } from '../lib/raw-client.js';
import { connectViewers } from '../lib/raw-viewers.js';
import { chatText, sentAtOf, ToSampler, type FromSampler, type SamplerClaim, type SamplerInit, type SamplerRun, type SamplerSlice } from './protocol.js';
import { onRepeatedFrame } from '../lib/repeated-frame.js';
import { bump } from '../lib/tally.js';

function send(msg: FromSampler): void {
  process.send?.(msg);
}

const counts = newCounts();
const sockets: RawClient[] = [];
let init: SamplerInit | undefined;

/** Per-slice state, filled once a run starts. */
let run: SamplerRun | undefined;
let slices: { latency: Histogram; fromAccept: Histogram; chatSent: number; chatReceived: number; pushes: number }[] = [];
const sliceOf = (at: number): number => (run ? Math.floor((at - run.startAt) / run.sliceMs) : -1);

/** A chat message as the sample records it: when it was sent (from its text) and accepted (its `at`). */
type Sent = { sentAt: number; acceptedAt: unknown };

function take({ sentAt, acceptedAt }: Sent, now: number): void {
  if (Number.isNaN(sentAt)) return;
  const s = slices[sliceOf(sentAt)];
  if (!s) return;
  s.chatReceived++;
  s.latency.record(now - sentAt);
  if (typeof acceptedAt === 'number') s.fromAccept.record(now - acceptedAt);
  received++;
  settle?.();
}

/** Chat deliveries to the sample so far, and the check that ends the drain once every one has come. */
let received = 0;
let settle: (() => void) | undefined;

/** Push frames received by the sample inside the run, by event name (the frame census). */
const census: Record<string, number> = {};

/** The event name of a push's JSON (`["name",...`), read without decoding the rest. */
function eventName(json: Buffer): string {
  const end = json.indexOf(0x22, 2); // the closing '"'
  return end > 2 ? json.toString('latin1', 2, end) : '?';
}

// One shared listener, not one closure per socket. Only chat frames are decoded.
function onPush(json: Buffer): void {
  const now = Date.now();
  const arrived = slices[sliceOf(now)];
  if (arrived) {
    arrived.pushes++;
    const name = eventName(json);
    bump(census, name);
  }
  // `["chat:message",...` or `["chat:batch",...`: look at the event name before decoding anything
  if (json[2] !== 0x63 || json[6] !== 0x3a) return; // 'c' of chat, ':'
  for (const m of chatIn(json)) take(m, now);
}

/** The messages of a chat frame, decoded once per distinct frame (a phase's frame reaches dozens of sample sockets). */
const chatIn = onRepeatedFrame((json): Sent[] => {
  const [event, body] = JSON.parse(json.toString('utf8')) as [string, { text?: unknown; at?: unknown; messages?: { text?: unknown; at?: unknown }[] }];
  const sent = (m: { text?: unknown; at?: unknown } | undefined): Sent => ({ sentAt: sentAtOf(m?.text), acceptedAt: m?.at });
  return event === 'chat:message' ? [sent(body)] : event === 'chat:batch' && Array.isArray(body?.messages) ? body.messages.map(sent) : [];
});

async function connectAll(i: SamplerInit): Promise<void> {
  const conn = await connectViewers({ ...i, counts, onPush });
  sockets.push(...conn.sockets);
  send({ type: 'connected', sockets: sockets.length, failed: conn.failed, errors: conn.errors, ms: conn.ms });
}

type Acks = { sent: number; ok: number; answered: number; errors: Record<string, number> };
const newAcks = (): Acks => ({ sent: 0, ok: 0, answered: 0, errors: {} });
const slimAcks = ({ answered: _answered, ...rest }: Acks) => rest;

function emitCounted(socket: RawClient, event: string, payload: unknown, acks: Acks): void {
  acks.sent++;
  socket.emit(event, payload, (json) => {
    acks.answered++;
    if (ackOk(json)) acks.ok++;
    else bump(acks.errors, ackBody(json).error?.code ?? 'unknown');
    settle?.();
  });
}

function startRun(msg: SamplerRun, streamId: string): void {
  run = msg;
  const n = Math.ceil(msg.durationMs / msg.sliceMs);
  slices = Array.from({ length: n }, () => ({ latency: new Histogram(60_000), fromAccept: new Histogram(60_000), chatSent: 0, chatReceived: 0, pushes: 0 }));
  const chat = newAcks();
  const reactions = { ...newAcks(), taps: 0 };
  const heartbeats = newAcks();
  const timers: NodeJS.Timeout[] = [];
  const endAt = msg.startAt + msg.durationMs;
  let eluStart = performance.eventLoopUtilization();
  const live = () => sockets.filter((s) => s.open);

  const begin = () => {
    eluStart = performance.eventLoopUtilization();
    // Chat and reactions on a 20 ms tick, each owed amount sent round-robin over the sockets.
    const tickMs = 20;
    let seq = 0;
    let chatOwed = 0;
    let tapsOwed = 0;
    // chat and taps each go round the sockets on their own: on one shared turn, a tick's taps could bring
    // its chat message back to the same socket every time, past the chat limit (a rate_limited refusal)
    const turns = { chat: 0, taps: 0 };
    const pick = (of: keyof typeof turns) => {
      const open = live();
      return open.length ? open[turns[of]++ % open.length] : undefined;
    };
    let last = Date.now();
    const tick = setInterval(() => {
      const now = Math.min(Date.now(), endAt);
      // owed by the time elapsed, not by ticks: a late tick (a busy loop) sends what it owes
      chatOwed += (msg.chatPerSec * (now - last)) / 1000;
      tapsOwed += (msg.reactionsPerSec * (now - last)) / 1000;
      last = now;
      if (now >= endAt) clearInterval(tick);
      // a message owed at the run's very end is stamped inside it: at endAt it would belong to no slice, and
      // its deliveries, counted by the slice of its stamp, would never add up (the drain then waited it out)
      const stamp = Math.min(now, endAt - 1);
      for (; chatOwed >= 1; chatOwed--) {
        const socket = pick('chat');
        if (!socket) break;
        const s = slices[sliceOf(stamp)];
        if (s) s.chatSent++;
        emitCounted(socket, 'chat:send', { streamId, text: chatText(stamp, seq++) }, chat);
      }
      for (; tapsOwed >= 1; ) {
        const socket = pick('taps');
        if (!socket) break;
        const count = Math.min(10, Math.floor(tapsOwed));
        tapsOwed -= count;
        reactions.taps += count;
        emitCounted(socket, 'reaction:send', { streamId, kind: 'like', count }, reactions);
      }
    }, tickMs);
    timers.push(tick);
    // Heartbeats: each socket once per period, spread over it.
    sockets.forEach((socket, i) => {
      const beat = () => {
        if (Date.now() >= endAt || !socket.open) return;
        emitCounted(socket, 'presence:heartbeat', { streamId, visible: true }, heartbeats);
        timers.push(setTimeout(beat, msg.heartbeatMs));
      };
      timers.push(setTimeout(beat, Math.floor((i / sockets.length) * msg.heartbeatMs)));
    });
  };
  setTimeout(begin, Math.max(0, msg.startAt - Date.now()));
  let reported = false;
  const report = () => {
    if (reported) return;
    reported = true;
    settle = undefined;
    clearTimeout(giveUp);
    for (const t of timers) clearTimeout(t);
    const out: SamplerSlice[] = slices.map((s) => ({ latency: s.latency.toJSON(), fromAccept: s.fromAccept.toJSON(), chatSent: s.chatSent, chatReceived: s.chatReceived, pushes: s.pushes }));
    send({
      type: 'report',
      slices: out,
      chat: slimAcks(chat),
      reactions: { ...slimAcks(reactions), taps: reactions.taps },
      heartbeats: slimAcks(heartbeats),
      census: { sockets: sockets.length, frames: census },
      elu: performance.eventLoopUtilization(eluStart).utilization,
      disconnects: sockets.filter((s) => s.closedBy !== undefined && s.closedBy !== 'us').length,
    });
  };
  // After the phase: report once every ack and every chat delivery to the sample came, or after `drainMs`.
  const everything = () =>
    [chat, reactions, heartbeats].every((a) => a.answered === a.sent) && received >= chat.sent * sockets.filter((x) => x.open).length;
  const giveUp = setTimeout(report, Math.max(0, endAt + msg.drainMs - Date.now()));
  timers.push(
    setTimeout(() => {
      settle = () => everything() && report();
      settle();
    }, Math.max(0, endAt - Date.now())),
  );
}

function claim(msg: SamplerClaim): void {
  const latency = new Histogram(msg.timeoutMs + 1000);
  const errors: Record<string, number> = {};
  const codes: string[] = [];
  let ok = 0;
  let answered = 0;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    send({ type: 'claimed', sent: sockets.length, ok, codes, errors, missing: sockets.length - answered, latency: latency.toJSON() });
  };
  setTimeout(
    () => {
      timer = setTimeout(finish, msg.timeoutMs);
      sockets.forEach((socket, i) => {
        const t0 = performance.now();
        // `fresh` as the SDK sends it, to a server that takes it (FRESH_CLAIM_PROTOCOL)
        const payload = { dropId: msg.dropId, opId: `${msg.opIdPrefix}-${i}`, ...(socket.protocol >= FRESH_CLAIM_PROTOCOL ? { fresh: true } : {}) };
        socket.emit('coupon:claim', payload, (json, at) => {
          answered++;
          latency.record(at - t0);
          const body = ackBody(json);
          if (body.ok) {
            ok++;
            if (typeof body.code === 'string') codes.push(body.code);
          } else bump(errors, body.error?.code ?? 'unknown');
          if (answered === sockets.length) finish();
        });
      });
      if (sockets.length === 0) finish();
    },
    Math.max(0, msg.at - Date.now()),
  );
}

function closeAll(): void {
  for (const s of sockets) s.close();
  process.exit(0);
}

process.on('message', (raw: unknown) => {
  const parsed = ToSampler.safeParse(raw);
  if (!parsed.success) return send({ type: 'fatal', message: `bad message: ${parsed.error.message}` });
  const msg = parsed.data;
  if (msg.type === 'init') {
    init = msg;
    connectAll(msg).catch((err: unknown) => send({ type: 'fatal', message: (err as Error).message }));
  } else if (msg.type === 'close') closeAll();
  else if (!init) send({ type: 'fatal', message: `${msg.type} before init` });
  else if (msg.type === 'run') startRun(msg, init.streamId);
  else claim(msg);
});
// Never outlive the orchestrator.
process.on('disconnect', closeAll);
