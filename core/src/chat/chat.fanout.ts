import type { ChatMessage } from '@stickyroom/sdk/protocol';
import type { DomainMetrics } from '../metrics.js';
import { CHAT_PHASES, phaseRoom, type Pusher } from '../pusher.js';
import { roomPushInterval } from '../push/room-interval.js';

/** More messages than this in one tick go out as several frames, so no frame grows without bound. */
export const MAX_BATCH = 500;

/** Sockets of a node's room per CHAT_TICK_MS the room's tick grows by (see chatTickFor; CHAT_TICK_STEP_SOCKETS's default). */
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
 * ticks fell behind and chat waited seconds (docs/benchmarks.md, room). A longer tick in a big room keeps its
 * frames within what a node writes, as the reaction totals and coupon stock intervals already do.
 */
export function chatTickFor(tickMs: number, localSockets: number, socketsPerStep = CHAT_SOCKETS_PER_STEP): number {
  return roomPushInterval(tickMs, localSockets, socketsPerStep, CHAT_TICK_MAX_MS);
}

/** What waits for a room's tick: every socket of the room gets it at the tick's end. */
interface Whole {
  phased: false;
  messages: ChatMessage[];
  timer: ReturnType<typeof setTimeout>;
  flushBy: number;
}

/** A sub-tick's messages, numbered by the sub-tick that closed it. */
interface Slice {
  turn: number;
  messages: ChatMessage[];
}

/** What waits in a phased room (see ChatFanout): the slices some phase has not been sent yet, and the open one. */
interface Phased {
  phased: true;
  /** Sub-ticks closed so far; sub-tick `turn` goes to phase `turn % CHAT_PHASES`. */
  turn: number;
  slices: Slice[];
  open: ChatMessage[];
  every: number;
  timer: ReturnType<typeof setTimeout>;
  flushBy: number;
}

/**
 * Fans accepted messages out to their rooms in ticks: per stream, every message this node accepted
 * during a tick leaves as one `chat:batch` frame (one encode, one frame per socket) instead of one frame
 * per message per viewer. Each stream has its own tick (chatTickFor: longer for a room with many sockets
 * on this node), started by the first message after its last flush; with `tickMs` 0 each message goes
 * out alone as `chat:message`. A stream's timer runs only while something waits, so an idle node has none.
 *
 * A room whose tick grew beyond `tickMs` is **phased**: its sockets are split into CHAT_PHASES phase rooms
 * (each socket joins one with the stream's room, by its id), and every tick/CHAT_PHASES one phase gets what
 * it has not had yet. Each socket still gets one frame per tick, but the node writes a sixth of the room at
 * a time instead of the whole room at once: a 10,000-socket room's frame took a quarter of a second to
 * write, so the last socket's messages had waited a whole tick and then that quarter second (fan-out p99
 * 730-780 ms at 10,000 viewers, docs/benchmarks.md); phased, they wait the tick and a sixth of it.
 */
export class ChatFanout {
  private readonly pending = new Map<string, Whole | Phased>();
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
      (waiting.phased ? waiting.open : waiting.messages).push(message);
      return;
    }
    const tick = chatTickFor(this.tickMs, this.pusher.localAudience(streamId), this.socketsPerStep);
    if (tick > this.tickMs) {
      const every = Math.max(1, Math.round(tick / CHAT_PHASES));
      const flushBy = performance.now() + Math.max(every, BACKLOG_WAIT_MAX_MS);
      this.pending.set(streamId, { phased: true, turn: 0, slices: [], open: [message], every, timer: setTimeout(() => this.due(streamId), every), flushBy });
      return;
    }
    this.pending.set(streamId, { phased: false, messages: [message], timer: setTimeout(() => this.due(streamId), tick), flushBy: performance.now() + Math.max(tick, BACKLOG_WAIT_MAX_MS) });
  }

  /**
   * A tick (or a phased room's sub-tick) ended. While the node still writes earlier broadcasts (a big room's
   * delivery runs in chunks), it waits and gathers more messages, up to BACKLOG_WAIT_MAX_MS: a frame sent
   * now would only queue behind them, one more frame per socket. That keeps a busy node's frames within what
   * it can write, as a loop blocked by the last delivery once did by making the tick late; with a fixed
   * bound instead, a starved node queued batches faster than it wrote them.
   */
  private due(streamId: string): void {
    const waiting = this.pending.get(streamId);
    if (!waiting) return;
    if (this.pusher.localBacklog() > 0 && performance.now() < waiting.flushBy) {
      waiting.timer = setTimeout(() => this.due(streamId), BACKLOG_RECHECK_MS);
      return;
    }
    if (waiting.phased) this.subTick(streamId, waiting);
    else this.flushStream(streamId);
  }

  /** Closes the open slice and sends the phase whose turn it is everything since its last turn. */
  private subTick(streamId: string, w: Phased): void {
    if (w.open.length > 0) w.slices.push({ turn: w.turn, messages: w.open });
    w.open = [];
    const phase = w.turn % CHAT_PHASES;
    // this phase's last turn was CHAT_PHASES sub-ticks ago: it has had every slice up to that one
    this.send(streamId, phaseRoom(streamId, phase), sinceTurn(w.slices, w.turn - CHAT_PHASES));
    w.turn++;
    // every phase has had the slices up to the one closed CHAT_PHASES - 1 sub-ticks ago
    while (w.slices.length > 0 && w.slices[0]!.turn <= w.turn - CHAT_PHASES) w.slices.shift();
    if (w.slices.length === 0) {
      this.pending.delete(streamId);
      return;
    }
    w.flushBy = performance.now() + Math.max(w.every, BACKLOG_WAIT_MAX_MS);
    w.timer = setTimeout(() => this.due(streamId), w.every);
  }

  /** Sends everything waiting now. */
  flush(): void {
    for (const streamId of [...this.pending.keys()]) this.flushStream(streamId);
  }

  private flushStream(streamId: string): void {
    const waiting = this.pending.get(streamId);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.pending.delete(streamId);
    if (!waiting.phased) return this.send(streamId, undefined, waiting.messages);
    // each phase gets what it has not had: the slices since its last turn, and the open one
    for (let phase = 0; phase < CHAT_PHASES; phase++) {
      const lastTurn = waiting.turn - 1 - ((((waiting.turn - 1 - phase) % CHAT_PHASES) + CHAT_PHASES) % CHAT_PHASES);
      this.send(streamId, phaseRoom(streamId, phase), [...sinceTurn(waiting.slices, lastTurn), ...waiting.open]);
    }
  }

  /** `room` undefined: the stream's whole room. At most MAX_BATCH messages a frame. */
  private send(streamId: string, room: string | undefined, messages: ChatMessage[]): void {
    const to = room === undefined ? this.pusher.toStream(streamId) : this.pusher.toRooms([room]);
    for (let i = 0; i < messages.length; i += MAX_BATCH) {
      const batch = messages.slice(i, i + MAX_BATCH);
      to.emit('chat:batch', { streamId, messages: batch });
      this.metrics?.chatFrames.inc({ kind: 'batch' });
      this.metrics?.chatBatchSize.observe(batch.length);
    }
  }

  /** Flushes what waits; later messages go out one by one (a node shutting down sends few). */
  close(): void {
    this.closed = true;
    this.flush();
  }
}

/** The messages of the slices closed after sub-tick `turn`, in order. */
function sinceTurn(slices: readonly Slice[], turn: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const slice of slices) if (slice.turn > turn) out.push(...slice.messages);
  return out;
}
