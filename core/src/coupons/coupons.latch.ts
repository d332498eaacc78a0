import { perContext } from '../context.js';
import { AppError } from '../errors.js';
import { refusalError } from '../redis/refusals.js';

/** Drops a node keeps latched: a burst's claims hit a few drops; past this the oldest is forgotten. */
export const LATCHED_DROPS_KEPT = 1000;

/**
 * Fresh claims a drop lets go to the script beyond the stock it may have left. Without it a drop with little
 * stock and many claims refused for other reasons (a viewer at its limit, not watched long enough, rate
 * limited) would send them a few per round trip; with it a burst costs at most this many script calls more
 * than the stock before the sell-out is latched.
 */
export const CLAIM_WINDOW_SLACK = 32;

/** Waiting claims a window lets go in one turn of the event loop (ClaimWindow.release). */
export const CLAIM_RELEASE_SLICE = 250;

/** A claim refused by the node's latch, without Redis: the same code, message and `claimed` as the script's. */
export class LatchedRefusal extends AppError {}

function latched(err: AppError): LatchedRefusal {
  return new LatchedRefusal(err.code, err.message, err.details);
}

/**
 * The drops this node has seen end for good, and the refusal a fresh claim of each gets. A drop never
 * reopens: the scripts only lower `remaining`, and an ended drop (sold out, window closed, ended by the
 * streamer or the stream's end) is never set open again (coupon-claim-15, coupon-end-3). So once this
 * node has heard a drop sold out or closed, a claim that cannot be a replay (no opId, or the client's
 * `fresh` first send of one) would get the same refusal from the script: the latch answers it without the
 * round trip. A claim that may be a retry always goes to the script, which answers a committed claim its
 * code. 90% of a flash sale's claims are refused `sold_out`; each of them was a script call.
 *
 * Node-local, learnt from this node's own answers (the claim script's refusals and sell-outs, its own
 * sell-out and end pushes); nothing is shared across nodes. One refusal object per drop, thrown again for
 * each claim (an AppError carries no stack).
 */
export class LatchedDrops {
  private readonly refusals = new Map<string, LatchedRefusal>();
  private readonly windows = new Map<string, ClaimWindow>();

  constructor(private readonly max = LATCHED_DROPS_KEPT) {}

  /** The drop sold out; every one of its `quantity` coupons was claimed. */
  soldOut(dropId: string, quantity: number): void {
    if (!this.refusals.has(dropId)) this.keep(dropId, latched(refusalError('sold_out', quantity)));
  }

  /** The drop ended otherwise (window, streamer, stream end): a claim hears `closed`. */
  closed(dropId: string): void {
    if (!this.refusals.has(dropId)) this.keep(dropId, latched(refusalError('drop_closed')));
  }

  /** The drop's window of fresh claims in flight (see ClaimWindow). */
  window(dropId: string): ClaimWindow {
    let w = this.windows.get(dropId);
    if (!w) {
      this.windows.set(dropId, (w = new ClaimWindow()));
      if (this.refusals.has(dropId)) w.end();
      // a window dropped here still serves the claims that hold it
      if (this.windows.size > this.max) this.windows.delete(this.windows.keys().next().value!);
    }
    return w;
  }

  /** Learns from a refusal the claim script answered: `sold_out` and `closed` are final. */
  learn(dropId: string, err: unknown): void {
    if (!(err instanceof AppError) || err instanceof LatchedRefusal || this.refusals.has(dropId)) return;
    if (err.code === 'sold_out' && err.details.claimed !== undefined) this.soldOut(dropId, err.details.claimed);
    else if (err.code === 'closed') this.closed(dropId);
  }

  /** The refusal of a drop this node knows ended, or undefined. */
  refusal(dropId: string): LatchedRefusal | undefined {
    return this.refusals.get(dropId);
  }

  private keep(dropId: string, refusal: LatchedRefusal): void {
    this.refusals.set(dropId, refusal);
    this.windows.get(dropId)?.end();
    if (this.refusals.size > this.max) this.refusals.delete(this.refusals.keys().next().value!);
  }
}

/**
 * A drop's fresh claims in flight from this node, against an upper bound of its remaining stock (its
 * quantity, then the least `remaining` a claim's reply said: stock never grows). A burst's claim frames
 * arrive together and used to go to Redis all before the first reply came back, so the latch learnt the
 * sell-out only once every claim of the burst had paid its round trip. A fresh claim now waits while the
 * claims in flight could take all the stock left (and CLAIM_WINDOW_SLACK more): if they do, the drop is latched sold out and the waiting
 * claims are refused by the node; if some are refused (a viewer at its limit, another node's claims took
 * the stock), the waiting ones go on in their order. Redis still decides every claim that goes; waiting
 * never changes an answer, only who asks Redis. A claim that may be a retry never waits.
 */
export class ClaimWindow {
  private inFlight = 0;
  private bound = Infinity;
  private ended = false;
  private readonly held: (() => void)[] = [];
  /** The first `granted` of `held` have their place in flight and go with the next slice (release). */
  private granted = 0;
  private releasing = false;

  constructor(private readonly slack = CLAIM_WINDOW_SLACK) {}

  /** Takes a place in flight now (undefined) or resolves once it has one. */
  enter(): Promise<void> | undefined {
    if (this.held.length === 0 && this.admits()) {
      this.inFlight++;
      return undefined;
    }
    const wait = new Promise<void>((resolve) => this.held.push(resolve));
    // behind claims that wait for their slice, a claim the window admits gets its place now, in order
    this.pump();
    return wait;
  }

  /**
   * A claim that took a place has its answer; `remaining` is the stock its reply said was left. `unknown`:
   * it failed without one (Redis away): every waiting claim goes now, as it would without the window, so a
   * burst does not queue behind an outage one batch at a time.
   */
  leave(remaining?: number, unknown = false): void {
    this.inFlight--;
    if (unknown) {
      this.inFlight += this.held.length - this.granted;
      this.granted = this.held.length;
      this.release();
    } else if (remaining !== undefined) this.lower(remaining);
    else this.pump();
  }

  /** At most `remaining` coupons are left. */
  lower(remaining: number): void {
    if (!this.ended && remaining < this.bound) this.bound = remaining;
    this.pump();
  }

  /** The drop is latched: nothing waits any more (the latch answers the waiting claims). */
  end(): void {
    this.ended = true;
    this.bound = Infinity;
    this.pump();
  }

  /** Room in flight (the stock that may be left, and the slack); with nothing in flight nothing would wake a waiting claim, so it goes. */
  private admits(): boolean {
    return this.inFlight < this.bound + this.slack || this.inFlight === 0;
  }

  private pump(): void {
    while (this.held.length > this.granted && this.admits()) {
      this.inFlight++;
      this.granted++;
    }
    this.release();
  }

  /**
   * Lets the granted claims go, CLAIM_RELEASE_SLICE per turn of the event loop: a sell-out grants a burst's
   * thousands of waiting claims at once, and answering them all in one turn held the loop for half a second
   * (docs/benchmarks-history.md, room), with the room's chat and every other socket waiting behind it.
   */
  private release(): void {
    if (this.releasing) return;
    const go = this.held.splice(0, Math.min(this.granted, CLAIM_RELEASE_SLICE));
    this.granted -= go.length;
    if (this.granted > 0) {
      this.releasing = true;
      setImmediate(() => {
        this.releasing = false;
        this.release();
      });
    }
    for (const resolve of go) resolve();
  }
}

/** This node's latch (one per app context). */
export const latchedDrops = perContext(() => new LatchedDrops());
