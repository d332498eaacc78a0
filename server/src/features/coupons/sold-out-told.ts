import { soldOutToldRoom } from '../../../../core/src/pusher.js';
import type { Logger } from '../../../../core/src/logger.js';
import type { AppSocket } from '../../io/handler.js';

/**
 * How long a node keeps a drop's told sockets (from the first one it told): the sell-out's `coupon:ended`
 * goes at most one stock interval (1 s) after the sell-out, or when Redis is back from an outage; a push
 * that comes later than this reaches the told sockets too, which the SDK drops as a repeat.
 */
export const TOLD_KEEP_MS = 60_000;
/** At most this many drops' told sockets on a node at once; past it a `sold_out` ack tells no room (the push then comes too, a harmless repeat). */
export const TOLD_DROPS_MAX = 200;

/**
 * The sockets of this node whose claim of a drop was answered `sold_out`, kept in the Socket.IO room
 * `soldOutToldRoom(dropId)` so that the sell-out's room-wide `coupon:ended` leaves them out (`except`,
 * which every node applies to its own sockets, through the Redis adapter and the chunked delivery alike):
 * the ack said the drop is gone, and the SDK tells its app `coupon:ended` from it. In a 5,000-viewer flash
 * sale that push was one more frame to 4,500 sockets, as costly as their acks (docs/benchmarks-history.md, claims).
 *
 * Bounded: a socket leaves every room when it disconnects; each drop's room is emptied TOLD_KEEP_MS after this
 * node first told it (a late claim then starts it again); at most TOLD_DROPS_MAX drops at once.
 */
export class SoldOutTold {
  private readonly drops = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly log: Logger,
    private readonly keepMs = TOLD_KEEP_MS,
    private readonly maxDrops = TOLD_DROPS_MAX,
  ) {}

  /** Notes that `socket` was answered `sold_out` for `dropId` (before the ack goes, so a push made after it leaves the socket out). */
  tell(socket: AppSocket, dropId: string): void {
    const room = soldOutToldRoom(dropId);
    if (!this.drops.has(dropId)) {
      if (this.drops.size >= this.maxDrops) return;
      const nsp = socket.nsp;
      const timer = setTimeout(() => {
        this.drops.delete(dropId);
        nsp.local.in(room).socketsLeave(room);
      }, this.keepMs);
      timer.unref();
      this.drops.set(dropId, timer);
    }
    // in memory, synchronously, with the Redis adapters; one that answers with a promise must not reject unhandled
    Promise.resolve(socket.join(room)).catch((err: unknown) => this.log.debug({ err, dropId }, 'could not note a sold_out answer; the push will repeat it'));
  }

  /** How many drops' told sockets this node keeps. */
  get size(): number {
    return this.drops.size;
  }
}
