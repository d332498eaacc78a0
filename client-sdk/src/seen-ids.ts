/**
 * The announcement ids a client has seen lately, bounded: a push delivered twice (the server delivers
 * results and rewards at least once) is shown once. Oldest ids are forgotten first.
 */
export class SeenIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max = 512) {}

  /** True the first time `id` is seen (and remembers it); false for a repeat. */
  first(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }
}
