/** A task run in turn: it calls `done` once, when its turn is over (at once, or when its work settles), and never throws. */
export type TurnTask = (done: () => void) => void;

/**
 * Runs at most `limit` tasks at once; the others wait their turn, in arrival order.
 */
export class Turns {
  private running = 0;
  private queue: (TurnTask | undefined)[] = [];
  private head = 0;
  private pumping = false;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`turns: the limit must be a whole number of at least 1, not ${limit}`);
  }

  /** Runs `task` now if a turn is free, else once one is. */
  run(task: TurnTask): void {
    this.queue.push(task);
    this.pump();
  }

  /** Tasks waiting for a turn. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  private readonly done = (): void => {
    this.running--;
    this.pump();
  };

  // One loop hands out the turns; a task that ends at once (its socket gone while it waited) only frees its
  // place for the loop, so thousands of those ending together do not grow the stack.
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running < this.limit && this.head < this.queue.length) {
        const task = this.queue[this.head]!;
        this.queue[this.head++] = undefined;
        if (this.head === this.queue.length) {
          this.queue = [];
          this.head = 0;
        }
        this.running++;
        task(this.done);
      }
    } finally {
      this.pumping = false;
    }
  }
}
