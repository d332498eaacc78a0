import { phaseOf } from './phases.js';

/** A socket as the phase lists hold it: a Socket.IO server-side socket, as far as they touch it. */
export interface PhaseSocket {
  id: string;
}

interface Split {
  phases: number;
  lists: PhaseSocket[][];
}

/**
 * A node's sockets of a room split into its phases (phases.ts), kept until the room's membership changes. A big
 * room's chat goes to one phase at a time, several times a round: picking a phase's sockets out of the whole
 * room each time hashed every socket id of the room once per phase and built a set of them, about a tenth of
 * the node's CPU in the 10,000-viewer room (docs/benchmarks-history.md, issue 11 seventh pass). Built in one pass over
 * the room, in the order the adapter holds it, so each list is exactly what filtering the room by phase gives.
 *
 * The lists are never changed once made (a delivery may still hold one): a change of the room drops its split
 * and the next phase broadcast builds a new one.
 */
export class PhaseLists {
  private readonly splits = new Map<string, Split>();

  /**
   * @param members the adapter's member ids per room (its `rooms`)
   * @param socketOf a member's socket, undefined once gone (the adapter's namespace `sockets`)
   */
  constructor(
    private readonly members: Map<string, Set<string>>,
    private readonly socketOf: (id: string) => PhaseSocket | undefined,
  ) {}

  /** The room's sockets in phase `phase` of `phases`; not to be changed by the caller. */
  get(room: string, phase: number, phases: number): readonly PhaseSocket[] {
    let split = this.splits.get(room);
    if (!split || split.phases !== phases) {
      const made = this.split(room, phases);
      // a member without a socket yet (one joined to rooms before it is connected, as a recovered session
      // is) would be missed for as long as the split lasts: such a split serves this broadcast only
      if (!made.complete) return made.lists[phase] ?? [];
      split = made;
      this.splits.set(room, split);
    }
    return split.lists[phase] ?? [];
  }

  /** The room's members changed: its split is stale. */
  changed(room: string): void {
    this.splits.delete(room);
  }

  private split(room: string, phases: number): Split & { complete: boolean } {
    const lists = Array.from({ length: phases }, (): PhaseSocket[] => []);
    let complete = true;
    for (const id of this.members.get(room) ?? []) {
      const socket = this.socketOf(id);
      if (socket) lists[phaseOf(id, phases)]!.push(socket);
      else complete = false;
    }
    return { phases, lists, complete };
  }
}
