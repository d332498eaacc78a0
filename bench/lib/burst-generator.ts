/**
 * One generator process of a burst benchmark (claims, join), driven over IPC (burst-protocol.ts): raw
 * sockets (raw-client.ts) that count pushes without decoding them, every socket sending one event at the
 * same instant on `fire`. Every wait is bounded; the process exits by itself if its parent goes away.
 */
import { performance } from 'node:perf_hooks';
import { FRESH_CLAIM_PROTOCOL } from '@stickyroom/sdk/protocol';
import { Histogram } from './histogram.js';
import { ackBody, ackOk, newCounts, type RawClient } from './raw-client.js';
import { connectViewers } from './raw-viewers.js';
import { ToBurst, type BurstFire, type BurstInit, type BurstSteady, type FromBurst } from './burst-protocol.js';
import { bump } from './tally.js';

function send(msg: FromBurst): void {
  process.send?.(msg);
}

const counts = newCounts();
const sockets: RawClient[] = [];

/** A socket's payload with its opId and, to a server that takes it, the first send's `fresh` flag. */
function claimPayload(msg: BurstFire, socket: RawClient, i: number): Record<string, unknown> {
  const p: Record<string, unknown> = { ...msg.payload };
  if (msg.opIdPrefix) p.opId = `${msg.opIdPrefix}-${i}`;
  if (msg.fresh && socket.protocol >= FRESH_CLAIM_PROTOCOL) p.fresh = true;
  return p;
}

async function connectAll(init: BurstInit): Promise<void> {
  const conn = await connectViewers({ ...init, streamId: init.joinStreamId, counts });
  sockets.push(...conn.sockets);
  send({ type: 'connected', sockets: sockets.length, failed: conn.failed, errors: conn.errors, ms: conn.ms });
}

function fire(msg: BurstFire): void {
  const latency = new Histogram(Math.max(1000, msg.timeoutMs + 1000));
  const errors: Record<string, number> = {};
  const codes: string[] = [];
  const samples: unknown[] = [];
  let ok = 0;
  let answered = 0;
  let ackBytes = 0;
  let lastAt = 0;
  let firstSendAt = 0;
  let pushes0 = 0;
  let eluStart = performance.eventLoopUtilization();
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    const pushesAtLastAck = counts.pushes;
    if (msg.settleMs > 0) setTimeout(() => report(elu, pushesAtLastAck), msg.settleMs);
    else report(elu, pushesAtLastAck);
  };
  const report = (elu: number, pushesAtLastAck: number) => {
    send({
      type: 'fired',
      sent: sockets.length,
      ok,
      errors,
      missing: sockets.length - answered,
      latency: latency.toJSON(),
      firstSendAt,
      lastAckAt: lastAt ? performance.timeOrigin + lastAt : firstSendAt,
      codes,
      samples,
      ackBytes,
      pushes: pushesAtLastAck - pushes0,
      pushesAfter: counts.pushes - pushesAtLastAck,
      elu,
      disconnects: sockets.filter((s) => s.closedBy !== undefined && s.closedBy !== 'us').length,
    });
  };
  const go = () => {
    pushes0 = counts.pushes;
    eluStart = performance.eventLoopUtilization();
    firstSendAt = Date.now();
    if (sockets.length === 0) return finish();
    timer = setTimeout(finish, msg.timeoutMs);
    sockets.forEach((socket, i) => {
      const payload = msg.opIdPrefix || msg.fresh ? claimPayload(msg, socket, i) : msg.payload;
      const t0 = performance.now();
      socket.emit(msg.event, payload, (json, at) => {
        answered++;
        lastAt = at;
        ackBytes += json.length;
        latency.record(at - t0);
        if (ackOk(json)) {
          ok++;
          if (msg.decode === 'all' || (msg.decode === 'sample' && samples.length < msg.sample)) {
            const body = ackBody(json);
            if (typeof body.code === 'string') codes.push(body.code);
            if (msg.decode === 'sample') samples.push(body);
          }
        } else bump(errors, ackBody(json).error?.code ?? 'unknown');
        if (answered === sockets.length) finish();
      });
    });
  };
  setTimeout(go, Math.max(0, msg.at - Date.now()));
}

/** Every socket sends `event` once per period, spread over it; pushes are read at every slice boundary. */
function steady(msg: BurstSteady): void {
  const errors: Record<string, number> = {};
  const pushesBySlice: number[] = [];
  let sent = 0;
  let ok = 0;
  let answered = 0;
  let settle: (() => void) | undefined;
  let eluStart = performance.eventLoopUtilization();
  const endAt = msg.startAt + msg.durationMs;
  const slices = Math.ceil(msg.durationMs / msg.sliceMs);
  let mark = 0;
  const timers: NodeJS.Timeout[] = [];
  const begin = () => {
    eluStart = performance.eventLoopUtilization();
    mark = counts.pushes;
    sockets.forEach((socket, i) => {
      const beat = () => {
        if (Date.now() >= endAt || !socket.open) return;
        sent++;
        socket.emit(msg.event, msg.payload, (json) => {
          answered++;
          if (ackOk(json)) ok++;
          else bump(errors, ackBody(json).error?.code ?? 'unknown');
          if (settle && answered === sent) settle();
        });
        timers.push(setTimeout(beat, msg.periodMs));
      };
      timers.push(setTimeout(beat, Math.floor((i / Math.max(1, sockets.length)) * msg.periodMs)));
    });
    for (let k = 1; k <= slices; k++) {
      timers.push(
        setTimeout(() => {
          pushesBySlice.push(counts.pushes - mark);
          mark = counts.pushes;
          if (k === slices) {
            for (const t of timers) clearTimeout(t);
            // the last events' acks, for at most 5 s
            let reported = false;
            const report = () => {
              if (reported) return;
              reported = true;
              clearTimeout(giveUp);
              send({
                type: 'steadied',
                sent,
                ok,
                errors,
                pushesBySlice,
                elu: performance.eventLoopUtilization(eluStart).utilization,
                disconnects: sockets.filter((s) => s.closedBy !== undefined && s.closedBy !== 'us').length,
              });
            };
            const giveUp = setTimeout(report, 5000);
            settle = report;
            if (answered === sent) report();
          }
        }, msg.startAt + Math.min(k * msg.sliceMs, msg.durationMs) - Date.now()),
      );
    }
  };
  setTimeout(begin, Math.max(0, msg.startAt - Date.now()));
}

function closeAll(): void {
  for (const s of sockets) s.close();
  process.exit(0);
}

let init: BurstInit | undefined;
process.on('message', (raw: unknown) => {
  const parsed = ToBurst.safeParse(raw);
  if (!parsed.success) return send({ type: 'fatal', message: `bad message: ${parsed.error.message}` });
  const msg = parsed.data;
  if (msg.type === 'init') {
    init = msg;
    connectAll(msg).catch((err: unknown) => send({ type: 'fatal', message: (err as Error).message }));
  } else if (msg.type === 'fire') {
    if (!init) return send({ type: 'fatal', message: 'fire before init' });
    fire(msg);
  } else if (msg.type === 'steady') {
    if (!init) return send({ type: 'fatal', message: 'steady before init' });
    steady(msg);
  } else closeAll();
});
// Never outlive the orchestrator.
process.on('disconnect', closeAll);
