import type { ChatMessage } from '@stickyroom/sdk/protocol';
import type { DomainMetrics } from '../metrics.js';
import type { Pusher } from '../pusher.js';

/** More messages than this in one tick go out as several frames, so no frame grows without bound. */
export const MAX_BATCH = 500;

/**
 * Fans accepted messages out to their rooms in ticks: per stream, every message this node accepted
 * during a tick leaves as one `chat:batch` frame (one encode, one frame per socket) instead of one frame
 * per message per viewer. With `tickMs` 0 each message goes out alone as `chat:message`.
 * The timer runs only while something waits, so an idle node has no tick.
 */
export class ChatFanout {
  private readonly pending = new Map<string, ChatMessage[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
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
    let list = this.pending.get(message.streamId);
    if (!list) this.pending.set(message.streamId, (list = []));
    list.push(message);
    this.timer ??= setTimeout(() => this.flush(), this.tickMs);
  }

  /** Sends everything waiting now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [streamId, messages] of this.pending) {
      for (let i = 0; i < messages.length; i += MAX_BATCH) {
        const batch = messages.slice(i, i + MAX_BATCH);
        this.pusher.toStream(streamId).emit('chat:batch', { streamId, messages: batch });
        this.metrics?.chatFrames.inc({ kind: 'batch' });
        this.metrics?.chatBatchSize.observe(batch.length);
      }
    }
    this.pending.clear();
  }

  /** Flushes what waits; later messages go out one by one (a node shutting down sends few). */
  close(): void {
    this.closed = true;
    this.flush();
  }
}
