/**
 * Where a stream's chat stands for this client. Message ids are a per-stream sequence (1, 2, 3, ...), so
 * `position` is the highest id up to which every message arrived: out-of-order batches (two nodes fanning
 * out) wait above it in `ahead` until the hole fills. A hole that stays open means a message was lost on
 * the way (pub/sub drops without a disconnect) and must be fetched; a reconnect resumes after `position`,
 * never after a later id that arrived early.
 */
export class ChatCursor {
  /** 0: nothing known yet. */
  position = 0;
  private readonly ahead = new Set<number>();
  /**
   * A snapshot (a join's ack) settled the cursor: position 0 then means "everything there is", not "nothing
   * known", and a reconnect asks for every message after the start (`lastMessageId` '0'). Without it, a
   * viewer who joined an empty chat and got no message before its node died resumed with the last 50 only.
   */
  private snapshot = false;

  /** Records received ids; true when a hole is open below some of them. */
  receive(ids: readonly string[]): boolean {
    for (const raw of ids) {
      const id = toSeq(raw);
      if (id === undefined || id <= this.position) continue;
      this.ahead.add(id);
    }
    this.advance();
    return this.ahead.size > 0;
  }

  /**
   * Everything up to `upTo` is settled (a snapshot or a fetch answered all that exists after the old
   * position; ids missing from it were deleted or trimmed).
   */
  settle(upTo: string | undefined): void {
    const id = upTo === undefined ? undefined : toSeq(upTo);
    this.snapshot = true;
    if (id !== undefined && id > this.position) this.position = id;
    for (const a of this.ahead) if (a <= this.position) this.ahead.delete(a);
    this.advance();
  }

  /** The highest id received or settled. */
  get highest(): number {
    let h = this.position;
    for (const a of this.ahead) if (a > h) h = a;
    return h;
  }

  get hasHole(): boolean {
    return this.ahead.size > 0;
  }

  /** The id to resume after, if any. */
  get resumeAfter(): string | undefined {
    return this.position > 0 || this.snapshot ? String(this.position) : undefined;
  }

  private advance(): void {
    while (this.ahead.delete(this.position + 1)) this.position++;
  }
}

function toSeq(id: string): number | undefined {
  if (!/^[1-9][0-9]{0,14}$/.test(id)) return undefined;
  return Number(id);
}
