import { singleFrame, writeFrameDirect, type FramedOpts } from './direct-frames.js';
import { PhaseLists } from './phase-lists.js';
import { parsePhaseMarker, phaseOf } from './phases.js';

/**
 * Socket writes a node makes for broadcasts in one turn of its event loop before it lets other work in.
 * One write costs some 10-25 µs on the benchmark machine (most of it the `writev` system call), so a
 * chunk holds the loop for about 10-25 ms.
 */
export const DELIVERY_CHUNK = 1000;

/** What a broadcast writes to: a Socket.IO server-side socket, as far as this module touches it. */
interface TargetSocket {
  id: string;
}

interface BroadcastOpts {
  rooms: Set<string>;
  except?: Set<string>;
}

/** A broadcast to one phase of its rooms (phases.ts). */
interface PhasedBroadcast {
  /** The broadcast's options without the marker. */
  opts: BroadcastOpts;
  phase: number;
  phases: number;
}

/** Whether a socket is in a phased broadcast's phase. */
function inPhase(p: PhasedBroadcast, socket: TargetSocket): boolean {
  return phaseOf(socket.id, p.phases) === p.phase;
}

/** The phase a broadcast goes to; undefined for a broadcast without a marker. */
function phaseOfBroadcast(opts: BroadcastOpts): PhasedBroadcast | undefined {
  let rooms: Set<string> | undefined;
  let found: { phase: number; phases: number } | undefined;
  for (const room of opts.rooms) {
    const marker = parsePhaseMarker(room);
    if (!marker) continue;
    rooms ??= new Set(opts.rooms);
    rooms.delete(room);
    found = marker;
  }
  if (!rooms || !found) return undefined;
  return { opts: { ...opts, rooms }, ...found };
}

/** The one room a phased broadcast goes to, where it names one room and excepts nobody; else undefined. */
function singleRoom(p: PhasedBroadcast): string | undefined {
  if (p.opts.rooms.size !== 1 || (p.opts.except && p.opts.except.size > 0)) return undefined;
  for (const room of p.opts.rooms) return room;
  return undefined;
}

/** The in-memory adapter's methods and state this module reads (socket.io-adapter's `Adapter`, which the Redis adapters extend). */
interface AdapterInternals {
  rooms: Map<string, Set<string>>;
  sids: Map<string, Set<string>>;
  nsp: { sockets: Map<string, TargetSocket> };
  addAll(id: string, rooms: Set<string>): unknown;
  del(id: string, room: string): unknown;
  delAll(id: string): unknown;
  _encode(packet: { id?: number }, packetOpts: FramedOpts): unknown;
  apply(opts: BroadcastOpts, callback: (socket: TargetSocket) => void): void;
  /** Added here: socket writes queued on this node and not made yet. */
  localBacklog?: () => number;
  /** Added here: this adapter delivers a broadcast to one phase of a room (phases.ts). */
  deliversPhases?: true;
}

/** One broadcast of a delivery: its frame where the adapter made one, and engine.io's write of its packet. */
interface Part {
  frame: Buffer | undefined;
  callback: (socket: TargetSocket) => void;
}

interface Delivery {
  sockets: readonly TargetSocket[];
  next: number;
  rooms: Set<string>;
  parts: Part[];
  /** The frames of several parts as one buffer, where every part has a frame; made again by the next chunk after a part joins. */
  frames?: Buffer;
}

/** A delivery's parts' frames as one buffer, where there are several and every one has a frame. */
function joinedFrames(d: Delivery): Buffer | undefined {
  if (d.parts.length < 2) return undefined;
  const frames: Buffer[] = [];
  for (const p of d.parts) {
    if (!p.frame) return undefined;
    frames.push(p.frame);
  }
  return Buffer.concat(frames);
}

/** Writes one broadcast to one socket: its frame straight to the connection where it may, else through engine.io. */
function writePart(p: Part, socket: TargetSocket): void {
  if (!(p.frame && writeFrameDirect(socket, p.frame))) p.callback(socket);
}

/** Writes a delivery's broadcasts to one socket: several at once with one write where the connection allows it. */
function writeParts(d: Delivery, socket: TargetSocket): void {
  if (d.frames && writeFrameDirect(socket, d.frames)) return;
  for (const p of d.parts) writePart(p, socket);
}

/** Whether two sets of rooms are the same. */
function sameRooms(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const room of a) if (!b.has(room)) return false;
  return true;
}

/** Whether a broadcast goes to exactly the sockets of `d`, in the same order. */
function sameTargets(d: Delivery, sockets: readonly TargetSocket[], rooms: Set<string>): boolean {
  if (d.sockets === sockets) return sameRooms(d.rooms, rooms);
  if (d.sockets.length !== sockets.length || !sameRooms(d.rooms, rooms)) return false;
  for (let i = 0; i < sockets.length; i++) if (d.sockets[i] !== sockets[i]) return false;
  return true;
}

/**
 * Makes the local delivery of a big broadcast run in chunks of `chunk` socket writes, one chunk per turn of
 * the event loop, instead of all at once: a `chat:batch` to a 10,000-viewer room held the loop for a quarter
 * of a second, during which no claim, heartbeat or chat message of the room was read (docs/benchmarks-history.md,
 * room). The packet is still encoded once, the sockets are the room's at the moment the delivery begins
 * (as before), and every local delivery of this adapter, small or big, goes through one queue in order, so
 * each socket gets the broadcasts in the order they were made. A socket that leaves the broadcast's rooms
 * (a ban) before its chunk comes is skipped, as it would have been had the delivery begun then.
 *
 * Only local deliveries change: the Redis adapters publish to the other nodes first, as before, and each
 * node chunks its own sockets' delivery (a broadcast heard from another node goes through the same
 * in-memory `broadcast`). A broadcast small enough for one chunk with nothing queued is written at once;
 * a queued one starts in the check phase of the same turn of the loop. A broadcast to exactly the sockets of the last
 * delivery queued joins it: each socket not yet written gets both frames in one write. A broadcast to one
 * phase of a room (phases.ts) goes to that part of the room's sockets. Broadcasts with acknowledgements (not
 * used by stickyroom) and every other use of the adapter (joins, leaves, fetches) are left alone.
 * `localBacklog()`, added to the adapter, tells how many writes wait; `deliversPhases` that phases resolve.
 *
 * Each socket's write goes straight to its TCP socket where nothing can come between (direct-frames.ts),
 * and through engine.io elsewhere.
 *
 * It hooks the two instance methods the in-memory adapter's `broadcast` calls, `_encode` then `apply`; if a
 * later socket.io-adapter no longer calls them that way, broadcasts are written at once as before.
 */
export function chunkedDelivery<A>(adapter: A, chunk = DELIVERY_CHUNK): A {
  const a = adapter as unknown as AdapterInternals;
  if (typeof a._encode !== 'function' || typeof a.apply !== 'function' || !(a.rooms instanceof Map)) return adapter;
  const encode = a._encode.bind(a);
  const apply = a.apply.bind(a);
  const phaseLists = trackPhaseLists(a);
  const queue: Delivery[] = [];
  let queued = 0;
  /** True from the start of a drain until the queue is empty (a broadcast made meanwhile only joins the queue). */
  let scheduled = false;
  /** Set by `_encode` of a broadcast without ack, taken by the `apply` that follows it at once. */
  let broadcasting = false;
  /** That broadcast's WebSocket frame, where the adapter made one (direct-frames.ts). */
  let frame: Buffer | undefined;

  /** Whether a socket is still in one of `rooms` (their member sets, read once per chunk); no rooms: everyone. */
  const stillIn = (socket: TargetSocket, members: (Set<string> | undefined)[] | undefined): boolean => {
    if (!members) return true;
    for (const m of members) if (m?.has(socket.id)) return true;
    return false;
  };

  /** The local sockets a broadcast goes to, in the adapter's order. */
  const targetsOf = (opts: BroadcastOpts, phased: PhasedBroadcast | undefined): readonly TargetSocket[] => {
    const room = phased && phaseLists ? singleRoom(phased) : undefined;
    if (room !== undefined) return phaseLists!.get(room, phased!.phase, phased!.phases);
    const sockets: TargetSocket[] = [];
    apply(opts, phased ? (socket) => void (inPhase(phased, socket) && sockets.push(socket)) : (socket) => void sockets.push(socket));
    return sockets;
  };

  const drain = (): void => {
    let budget = chunk;
    try {
      while (queue.length > 0 && budget > 0) {
        const d = queue[0]!;
        const end = Math.min(d.sockets.length, d.next + budget);
        budget -= end - d.next;
        queued -= end - d.next;
        const members = d.rooms.size > 0 ? [...d.rooms].map((room) => a.rooms.get(room)) : undefined;
        d.frames ??= joinedFrames(d);
        while (d.next < end) {
          const socket = d.sockets[d.next++]!;
          if (stillIn(socket, members)) writeParts(d, socket);
        }
        if (d.next === d.sockets.length) queue.shift();
      }
    } finally {
      if (queue.length > 0) setImmediate(drain);
      else scheduled = false;
    }
  };

  a._encode = (packet, packetOpts) => {
    const encoded = encode(packet, packetOpts);
    broadcasting = packet.id === undefined;
    frame = broadcasting ? singleFrame(packetOpts) : undefined;
    return encoded;
  };
  a.apply = (given, callback) => {
    const phased = phaseOfBroadcast(given);
    const opts = phased?.opts ?? given;
    if (!broadcasting) return apply(opts, phased ? (socket) => void (inPhase(phased, socket) && callback(socket)) : callback);
    broadcasting = false;
    const part: Part = { frame, callback };
    frame = undefined;
    const sockets = targetsOf(opts, phased);
    if (queue.length === 0 && sockets.length <= chunk) {
      for (const socket of sockets) writePart(part, socket);
      return;
    }
    const rooms = new Set(opts.rooms);
    const last = queue[queue.length - 1];
    if (last && sameTargets(last, sockets, rooms)) {
      // The same sockets as the last broadcast queued (a room's chat batch and the state pushed with it):
      // each socket not yet written gets both in one write; those already written get this one after it.
      if (last.next > 0) {
        queue.push({ sockets: last.sockets.slice(0, last.next), next: 0, rooms, parts: [part] });
        queued += last.next;
      }
      last.parts.push(part);
      last.frames = undefined;
      return;
    }
    queue.push({ sockets, next: 0, rooms, parts: [part] });
    queued += sockets.length;
    if (!scheduled) {
      scheduled = true;
      // in this turn's check phase, one chunk a turn from the first: broadcasts made with it to the same
      // sockets join it first, and a delivery begun in a timer (a chat phase) does not write two chunks in
      // one turn (measured: loop delay p99 in the room's burst 54-90 ms against 79-132 from a microtask)
      setImmediate(drain);
    }
  };
  a.localBacklog = () => queued;
  a.deliversPhases = true;
  return adapter;
}

/**
 * The adapter's rooms split by phase (phase-lists.ts), each room's split dropped whenever a socket joins or
 * leaves it; undefined where the adapter lacks the methods that change membership (phases are then picked
 * out of the room at each broadcast, as before).
 */
function trackPhaseLists(a: AdapterInternals): PhaseLists | undefined {
  if (!(a.sids instanceof Map) || !(a.nsp?.sockets instanceof Map)) return undefined;
  if (typeof a.addAll !== 'function' || typeof a.del !== 'function' || typeof a.delAll !== 'function') return undefined;
  const lists = new PhaseLists(a.rooms, (id) => a.nsp.sockets.get(id));
  const addAll = a.addAll.bind(a);
  const del = a.del.bind(a);
  const delAll = a.delAll.bind(a);
  a.addAll = (id, rooms) => {
    for (const room of rooms) lists.changed(room);
    return addAll(id, rooms);
  };
  a.del = (id, room) => {
    lists.changed(room);
    return del(id, room);
  };
  a.delAll = (id) => {
    for (const room of a.sids.get(id) ?? []) lists.changed(room);
    return delAll(id);
  };
  return lists;
}
