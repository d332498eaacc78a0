/**
 * The sockets each user holds open on this node, oldest first. Kept in memory on purpose: a connect must
 * work while Redis is away, and what the cap protects (this node's memory and event loop) is per node.
 * Across N nodes a user can hold N times the cap; docs/protocol.md says so.
 */
export class UserSockets<S extends { id: string }> {
  private readonly byUser = new Map<string, S[]>();

  constructor(private readonly cap: number) {}

  /** Registers a new socket; returns the user's sockets now over the cap, oldest first, to be closed. */
  add(userId: string, socket: S): S[] {
    const list = this.byUser.get(userId) ?? [];
    list.push(socket);
    this.byUser.set(userId, list);
    return list.length > this.cap ? list.splice(0, list.length - this.cap) : [];
  }

  remove(userId: string, socket: S): void {
    const list = this.byUser.get(userId);
    if (!list) return;
    const i = list.findIndex((s) => s.id === socket.id);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byUser.delete(userId);
  }

  count(userId: string): number {
    return this.byUser.get(userId)?.length ?? 0;
  }

  /** Users with at least one socket on this node. */
  get users(): number {
    return this.byUser.size;
  }
}
