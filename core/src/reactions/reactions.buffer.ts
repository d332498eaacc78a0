/** What one node gathered for one stream between two flushes. */
export interface StreamReactions {
  /** kind -> count */
  kinds: Map<string, number>;
  /** viewerId -> reactions of every kind (what scoring counts, capped at flush) */
  viewers: Map<string, number>;
}

/**
 * Reactions coalesced in memory on one node: thousands of taps a second become one increment per
 * stream and kind and one per viewer at each flush.
 */
export class ReactionBuffer {
  private streams = new Map<string, StreamReactions>();

  /** `viewerId` only for reactions that count for a viewer's scoring. */
  add(streamId: string, kind: string, n: number, viewerId?: string): void {
    let s = this.streams.get(streamId);
    if (!s) this.streams.set(streamId, (s = { kinds: new Map(), viewers: new Map() }));
    s.kinds.set(kind, (s.kinds.get(kind) ?? 0) + n);
    if (viewerId !== undefined) s.viewers.set(viewerId, (s.viewers.get(viewerId) ?? 0) + n);
  }

  get isEmpty(): boolean {
    return this.streams.size === 0;
  }

  /** Takes everything gathered so far; the buffer starts empty again. */
  drain(): Map<string, StreamReactions> {
    const out = this.streams;
    this.streams = new Map();
    return out;
  }

  /** Puts back what a failed flush did not write, to go with the next one. */
  restore(streamId: string, part: Partial<StreamReactions>): void {
    for (const [kind, n] of part.kinds ?? []) this.add(streamId, kind, n);
    for (const [viewerId, n] of part.viewers ?? []) {
      const s = this.streams.get(streamId) ?? { kinds: new Map(), viewers: new Map() };
      this.streams.set(streamId, s);
      s.viewers.set(viewerId, (s.viewers.get(viewerId) ?? 0) + n);
    }
  }
}
