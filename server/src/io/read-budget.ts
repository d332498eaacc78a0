import type { Socket } from 'node:net';

/** The parts of a TCP socket's libuv handle that start and stop its reads (not in Node's public types). */
interface ReadHandle {
  reading?: boolean;
  readStart(): number;
  readStop(): number;
}

/** An engine.io connection and its transport, down to the TCP socket of a WebSocket (not in the public types). */
interface EngineTransport {
  socket?: { _socket?: Socket };
}
export interface EngineConnection {
  transport?: EngineTransport;
  once(event: 'upgrade', listener: (transport: EngineTransport) => void): unknown;
}

/** Sockets a quiet turn may let read again at most (each is a `readStart` and, in the next poll, an `epoll_ctl`). */
const MAX_BATCH = 8192;

export interface ReadBudgetOptions {
  /** Called each time a turn spends its budget (the metric). */
  onPause?: () => void;
  /** Milliseconds, monotonic; tests give their own. */
  now?: () => number;
}

const handleOf = (socket: Socket): ReadHandle | undefined => (socket as unknown as { _handle?: ReadHandle | null })._handle ?? undefined;

export interface ReadBudgetStats {
  /** Turns of the event loop in which the budget ran out and client reads were paused. */
  pauses: number;
  /** Sockets paused now, waiting for their turn to be read again. */
  waiting(): number;
}

/**
 * At most `budgetMs` of reading client sockets in one turn of the event loop; then the sockets not yet read
 * wait a turn or more, and are read again a batch per turn, in the order they were paused.
 *
 * Why: libuv reads every ready socket before it runs a timer again. When thousands of viewers send at once (a
 * claim burst, 10,000 sockets), one poll phase reads and answers them all; on a 2-core machine that took 0.7 s,
 * in which no chat step, delivery chunk or Redis reply of any room on the node ran (docs/benchmarks.md,
 * issue 11, eighth pass). With a budget, once a turn has read for `budgetMs` the tracked sockets stop reading
 * (`readStop`: the kernel keeps their bytes, TCP keeps their order); each check phase lets as many read again
 * as the last full turn read, and the timers and Redis replies run between. A turn that did not spend its
 * budget (its sockets had little to say) doubles the next batch, so the burst's quiet sockets are soon all
 * reading again. Sockets it does not track (Redis, HTTP requests) are never paused. The budget is time, not
 * a count of reads: a room's steady traffic never spends it, so only a burst pays for the pauses.
 *
 * Stopping a handle's reads is what Node itself does when a stream's buffer is full (`handle.reading = false`,
 * `readStop()`); starting them again is what its `_read` does. A socket whose buffer is full when its turn
 * comes stops again at once, as Node would.
 */
export class ReadBudget implements ReadBudgetStats {
  pauses = 0;
  private readonly tracked = new Set<Socket>();
  private readonly paused: (Socket | undefined)[] = [];
  private head = 0;
  private readonly isPaused = new WeakSet<Socket>();
  private readonly onPause: () => void;
  private readonly now: () => number;
  /** This turn: when its first read came, how many reads, and whether they spent the budget. */
  private turnStart = 0;
  private reads = 0;
  private spent = false;
  private turnScheduled = false;
  /** Paused sockets the next check phase lets read again. */
  private batch = 0;

  constructor(
    readonly budgetMs: number,
    options: ReadBudgetOptions = {},
  ) {
    if (!(budgetMs > 0) || !Number.isFinite(budgetMs)) throw new Error(`read budget: the budget must be a positive number of milliseconds, not ${budgetMs}`);
    this.onPause = options.onPause ?? (() => {});
    this.now = options.now ?? (() => performance.now());
  }

  /** Counts the socket's reads against the budget from now on, until it closes. */
  track(socket: Socket): void {
    if (this.tracked.has(socket) || socket.destroyed) return;
    this.tracked.add(socket);
    socket.prependListener('data', this.onRead);
    socket.once('close', this.untrack);
  }

  /** Reads of the connection's TCP socket, where it is a WebSocket now or once it upgrades to one. */
  trackConnection(conn: EngineConnection): void {
    const tcp = conn.transport?.socket?._socket;
    if (tcp) this.track(tcp);
    else
      conn.once('upgrade', (transport: EngineTransport) => {
        const upgraded = transport.socket?._socket;
        if (upgraded) this.track(upgraded);
      });
  }

  waiting(): number {
    return this.paused.length - this.head;
  }

  // one listener for every socket (the emitter is `this`), not a closure per connection
  private readonly untrack: (this: Socket) => void = (() => {
    const budget = this;
    return function untrack(this: Socket): void {
      budget.tracked.delete(this);
      this.off('data', budget.onRead);
    };
  })();

  private readonly onRead = (): void => {
    const now = this.now();
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(this.endTurn);
    }
    if (this.reads++ === 0) this.turnStart = now;
    else if (!this.spent && now - this.turnStart >= this.budgetMs) this.pauseAll();
  };

  /** The budget is spent: every tracked socket still reading waits for a later turn. */
  private pauseAll(): void {
    this.spent = true;
    this.pauses++;
    this.onPause();
    for (const socket of this.tracked) {
      if (this.isPaused.has(socket)) continue;
      const handle = handleOf(socket);
      if (!handle?.reading) continue;
      handle.reading = false;
      handle.readStop();
      this.isPaused.add(socket);
      this.paused.push(socket);
    }
  }

  // The check phase, after the turn's poll: a new budget, and a batch of paused sockets read again.
  private readonly endTurn = (): void => {
    this.turnScheduled = false;
    this.batch = this.spent ? this.reads : Math.min(Math.max(this.batch, 1) * 2, MAX_BATCH);
    this.reads = 0;
    this.spent = false;
    let resumed = 0;
    while (resumed < this.batch && this.head < this.paused.length) {
      const socket = this.paused[this.head]!;
      this.paused[this.head++] = undefined;
      this.isPaused.delete(socket);
      const handle = handleOf(socket);
      if (socket.destroyed || !handle || handle.reading) continue;
      handle.reading = true;
      handle.readStart();
      resumed++;
    }
    if (this.head === this.paused.length) {
      this.paused.length = 0;
      this.head = 0;
    } else if (!this.turnScheduled) {
      // nothing may be read this turn (every resumed socket had nothing to say): keep handing out turns
      this.turnScheduled = true;
      setImmediate(this.endTurn);
    }
  };
}
