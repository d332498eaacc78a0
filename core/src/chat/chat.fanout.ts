import type { ChatMessage } from '@stickyroom/sdk/protocol';
import type { DomainMetrics } from '../metrics.js';
import type { Pusher } from '../pusher.js';
import { roomPushInterval } from '../push/room-interval.js';

/** More messages than this in one tick go out as several frames, so no frame grows without bound. */
export const MAX_BATCH = 500;

/**
 * Sockets of a node's room per CHAT_TICK_MS the room's tick grows by (see chatTickFor): 200 ms at 10,000. It
 * was 2,000 until a room's frames were written straight to its sockets, 25-30% cheaper a frame
 * (docs/benchmarks.md, issue 11 fourth pass: fan-out p99 at 10,000 viewers 559-597 ms at 250 ms, 451 ms at 200).
 */
export const CHAT_SOCKETS_PER_STEP = 2500;
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
export function chatTickFor(tickMs: number, localSockets: number): number {
  return roomPushInterval(tickMs, localSockets, CHAT_SOCKETS_PER_STEP, CHAT_TICK_MAX_MS);
}

/**
 * Fans accepted messages out to their rooms in ticks: per stream, every message this node accepted
 * during a tick leaves as one `chat:batch` frame (one encode, one frame per socket) instead of one frame
 * per message per viewer. Each stream has its own tick (chatTickFor: longer for a room with many sockets
 * on this node), started by the first message after its last flush; with `tickMs` 0 each message goes
 * out alone as `chat:message`. A stream's timer runs only while something waits, so an idle node has none.
 */
export class ChatFanout {
  private readonly pending = new Map<string, { messages: ChatMessage[]; timer: ReturnType<typeof setTimeout>; flushBy: number }>();
  private closed = false;

  constructor(
    private readonly pusher: Pusher,
    private readonly tickMs: number,
    private readonly metrics?: Pick<DomainMetrics, 'chatFrames' | 'chatBatchSize'>,
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
    const tick = chatTickFor(this.tickMs, this.pusher.localAudience(streamId));
    this.pending.set(streamId, { messages: [message], timer: setTimeout(() => this.due(streamId), tick), flushBy: performance.now() + Math.max(tick, BACKLOG_WAIT_MAX_MS) });
  }

  /**
   * A tick ended. While the node still writes earlier broadcasts (a big room's delivery runs in chunks), the
   * batch waits and gathers more messages, up to BACKLOG_WAIT_MAX_MS from its first message: a batch sent
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
    this.flushStream(streamId);
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
    const { messages } = waiting;
    for (let i = 0; i < messages.length; i += MAX_BATCH) {
      const batch = messages.slice(i, i + MAX_BATCH);
      this.pusher.toStream(streamId).emit('chat:batch', { streamId, messages: batch });
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
