import type { ChatMessage, PushName, PushPayload } from '@stickyroom/sdk/protocol';
import type { DomainMetrics } from '../metrics.js';
import type { Pusher } from '../pusher.js';
import { roomPushInterval } from '../push/room-interval.js';

/** More messages than this in one tick go out as several frames, so no frame grows without bound. */
export const MAX_BATCH = 500;

/**
 * Sockets of a node's room per CHAT_TICK_MS the room's tick grows by (see chatTickFor), and so the size of
 * one phase of a big room: 250 ms in 5 phases at 10,000 (docs/benchmarks-history.md, issue 11 sixth pass). The
 * default of config CHAT_SOCKETS_PER_STEP.
 */
export const CHAT_SOCKETS_PER_STEP = 2000;
/** The longest tick a big room gets (unless CHAT_TICK_MS itself is longer). */
export const CHAT_TICK_MAX_MS = 500;
/** While the node's earlier broadcasts are still being written, a due batch looks again this often. */
export const BACKLOG_RECHECK_MS = 10;
/** The longest a batch waits for that, from its first message: a node that never catches up still sends chat. */
export const BACKLOG_WAIT_MAX_MS = 2000;

/**
 * The chat tick of a room whose sockets on this node number `localSockets`: CHAT_TICK_MS (`tickMs`) up to
 * CHAT_SOCKETS_PER_STEP sockets, one more step per further CHAT_SOCKETS_PER_STEP, at most CHAT_TICK_MAX_MS.
 * A tick's batch costs the node one frame (one socket write) per socket of the room, whatever it holds: a
 * 10,000-viewer room at 50 ms asked for up to 200,000 writes a second, more than a node's core can make, so
 * ticks fell behind and chat waited seconds (docs/benchmarks-history.md, room). A longer tick in a big room keeps its
 * frames within what a node writes, as the reaction totals and coupon stock intervals already do.
 */
export function chatTickFor(tickMs: number, localSockets: number, socketsPerStep = CHAT_SOCKETS_PER_STEP): number {
  return roomPushInterval(tickMs, localSockets, socketsPerStep, CHAT_TICK_MAX_MS);
}

/**
 * The parts (phases) a room's tick is written in: one per CHAT_TICK_MS (`tickMs`) of the room's tick `tick`,
 * where the node can push to part of a room (Pusher.toStreamPhase), else 1.
 */
export function chatPhasesFor(tickMs: number, tick: number, phased: boolean): number {
  return phased && tickMs > 0 ? Math.max(1, Math.floor(tick / tickMs)) : 1;
}

/** A stream's round: the messages and room state some phase has not had yet. */
interface Waiting {
  messages: ChatMessage[];
  /** Per phase: how many of `messages` it has had. */
  sent: number[];
  /** Room state pushed meanwhile (the latest of each event), and the phases still owed it. */
  states: Map<PushName, { payload: unknown; owed: boolean[] }>;
  /** The phase the next step sends to. */
  next: number;
  /** Time between two phases' frames: the room's tick (each phase gets a frame once per tick) / phases. */
  step: number;
  timer: ReturnType<typeof setTimeout>;
  /** A due step stops waiting for the node's backlog at this time. */
  flushBy: number;
}

/**
 * Fans accepted messages out to their rooms in ticks: per stream, every message this node accepted
 * during a tick leaves as one `chat:batch` frame (one encode, one frame per socket) instead of one frame
 * per message per viewer. Each stream has its own tick (chatTickFor: longer for a room with many sockets
 * on this node), started by the first message after its last flush; with `tickMs` 0 each message goes
 * out alone as `chat:message`. A stream's timer runs only while something waits, so an idle node has none.
 *
 * A room whose tick is several CHAT_TICK_MS long is written in as many phases (chatPhasesFor), one every
 * CHAT_TICK_MS, each phase a part of the room getting what it has not had: every socket still gets one frame
 * per tick, but a message waits for its socket's phase (at most a tick) and that part's write, instead of a
 * whole tick and then the whole room's write (a 10,000-socket room's frame takes some 0.2 s to write here;
 * docs/benchmarks-history.md, room). Each socket gets every message once and in order: a phase's frame holds exactly
 * the messages since its previous one. The phase count is decided again once per round of phases; when it
 * changes, every phase first gets what it lacks.
 */
export class ChatFanout {
  private readonly pending = new Map<string, Waiting>();
  private closed = false;

  constructor(
    private readonly pusher: Pusher,
    private readonly tickMs: number,
    private readonly metrics?: Pick<DomainMetrics, 'chatFrames' | 'chatBatchSize'>,
    private readonly socketsPerStep = CHAT_SOCKETS_PER_STEP,
  ) {}

  push(message: ChatMessage): void {
    if (this.tickMs === 0 || this.closed) {
      this.pusher.toStream(message.streamId).emit('chat:message', message);
      this.metrics?.chatFrames.inc({ kind: 'message' });
      this.metrics?.chatBatchSize.observe(1);
      return;
    }
    const streamId = message.streamId;
    const waiting = this.pending.get(streamId);
    if (waiting) {
      waiting.messages.push(message);
      return;
    }
    const w = this.round(this.shape(streamId), [message]);
    this.pending.set(streamId, w);
    this.schedule(streamId, w);
  }

  /**
   * Pushes a snapshot of the room's state (reaction totals, live counts: each supersedes the last) to the
   * stream's room. A room written in phases gets it with each phase's next frame, in the same write where the
   * node can (chunked-delivery.ts): sent at once to the whole room, its 10,000 frames held the room's chat
   * for 150 ms (docs/benchmarks-history.md, room). Elsewhere it goes at once.
   */
  pushState<E extends PushName>(streamId: string, event: E, payload: PushPayload<E>): void {
    let w = this.pending.get(streamId);
    if (!w && !this.closed && this.tickMs > 0) {
      const shape = this.shape(streamId);
      if (shape.phases > 1) {
        w = this.round(shape, []);
        this.pending.set(streamId, w);
        this.schedule(streamId, w);
      }
    }
    if (!w || w.sent.length === 1) {
      this.pusher.toStream(streamId).emit(event, payload);
      return;
    }
    w.states.set(event, { payload, owed: new Array<boolean>(w.sent.length).fill(true) });
  }

  /** The phases `streamId`'s room is written in as it is now, and the time between two of them. */
  private shape(streamId: string): { phases: number; step: number } {
    const tick = chatTickFor(this.tickMs, this.pusher.localAudience(streamId), this.socketsPerStep);
    const phases = chatPhasesFor(this.tickMs, tick, this.pusher.toStreamPhase !== undefined);
    return { phases, step: tick / phases };
  }

  /** A fresh round of `shape`, every phase owed all of `messages`. */
  private round({ phases, step }: { phases: number; step: number }, messages: ChatMessage[]): Waiting {
    return { messages, sent: new Array<number>(phases).fill(0), states: new Map(), next: 0, step, timer: undefined as never, flushBy: 0 };
  }

  private schedule(streamId: string, w: Waiting): void {
    w.flushBy = performance.now() + Math.max(w.step, BACKLOG_WAIT_MAX_MS);
    w.timer = setTimeout(() => this.due(streamId), w.step);
  }

  /**
   * A step ended. While the node still writes earlier broadcasts (a big room's delivery runs in chunks), the
   * step waits and its frame gathers more messages, up to BACKLOG_WAIT_MAX_MS: a frame sent now would only
   * queue behind them, one more frame per socket. That keeps a busy node's frames within what it can write,
   * as a loop blocked by the last delivery once did by making the tick late; with a fixed bound instead, a
   * starved node queued batches faster than it wrote them. A phase waits only while more than about one
   * phase's writes wait: it costs its sockets one frame a round however long it waits, and waiting for an
   * empty queue stalled the room's chat behind every other push to it.
   */
  private due(streamId: string): void {
    const w = this.pending.get(streamId);
    if (!w) return;
    const allowed = w.sent.length > 1 ? this.socketsPerStep : 0;
    if (this.pusher.localBacklog() > allowed && performance.now() < w.flushBy) {
      w.timer = setTimeout(() => this.due(streamId), BACKLOG_RECHECK_MS);
      return;
    }
    this.sendPhase(streamId, w, w.next);
    w.next = (w.next + 1) % w.sent.length;
    let next = w;
    if (w.next === 0) {
      // a new round: the room may have grown or shrunk since the phases were counted
      const shape = this.shape(streamId);
      if (shape.phases !== w.sent.length) {
        for (let p = 0; p < w.sent.length; p++) this.sendPhase(streamId, w, p);
        next = this.round(shape, []);
      } else next.step = shape.step;
    }
    const had = Math.min(...next.sent);
    if (had > 0) {
      next.messages.splice(0, had);
      for (let p = 0; p < next.sent.length; p++) next.sent[p]! -= had;
    }
    for (const [event, state] of next.states) if (!state.owed.includes(true)) next.states.delete(event);
    if (next.messages.length === 0 && next.states.size === 0) {
      this.pending.delete(streamId);
      return;
    }
    this.pending.set(streamId, next);
    this.schedule(streamId, next);
  }

  /** Sends everything waiting now. */
  flush(): void {
    for (const [streamId, w] of [...this.pending]) {
      clearTimeout(w.timer);
      this.pending.delete(streamId);
      for (let p = 0; p < w.sent.length; p++) this.sendPhase(streamId, w, p);
    }
  }

  /** Sends phase `phase` (the whole room where there is one) the messages and state it has not had. */
  private sendPhase(streamId: string, w: Waiting, phase: number): void {
    const from = w.sent[phase]!;
    const phases = w.sent.length;
    const to = phases > 1 && this.pusher.toStreamPhase ? this.pusher.toStreamPhase(streamId, phase, phases) : this.pusher.toStream(streamId);
    w.sent[phase] = w.messages.length;
    for (let i = from; i < w.messages.length; i += MAX_BATCH) {
      const batch = w.messages.slice(i, Math.min(i + MAX_BATCH, w.messages.length));
      to.emit('chat:batch', { streamId, messages: batch });
      this.metrics?.chatFrames.inc({ kind: 'batch' });
      this.metrics?.chatBatchSize.observe(batch.length);
    }
    for (const [event, state] of w.states) {
      if (!state.owed[phase]) continue;
      state.owed[phase] = false;
      to.emit(event, state.payload as never);
    }
  }

  /** Flushes what waits; later messages go out one by one (a node shutting down sends few). */
  close(): void {
    this.closed = true;
    this.flush();
  }
}
