import { singleFrame, writeFrameDirect, type FramedOpts } from './direct-frames.js';

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

/** The in-memory adapter's methods and state this module reads (socket.io-adapter's `Adapter`, which the Redis adapters extend). */
interface AdapterInternals {
  rooms: Map<string, Set<string>>;
  _encode(packet: { id?: number }, packetOpts: FramedOpts): unknown;
  apply(opts: BroadcastOpts, callback: (socket: TargetSocket) => void): void;
  /** Added here: socket writes queued on this node and not made yet. */
  localBacklog?: () => number;
}

interface Delivery {
  sockets: TargetSocket[];
  next: number;
  rooms: Set<string>;
  write: (socket: TargetSocket) => void;
}

/**
 * Makes the local delivery of a big broadcast run in chunks of `chunk` socket writes, one chunk per turn of
 * the event loop, instead of all at once: a `chat:batch` to a 10,000-viewer room held the loop for a quarter
 * of a second, during which no claim, heartbeat or chat message of the room was read (docs/benchmarks.md,
 * room). The packet is still encoded once, the sockets are the room's at the moment the delivery begins
 * (as before), and every local delivery of this adapter, small or big, goes through one queue in order, so
 * each socket gets the broadcasts in the order they were made. A socket that leaves the broadcast's rooms
 * (a ban) before its chunk comes is skipped, as it would have been had the delivery begun then.
 *
 * Only local deliveries change: the Redis adapters publish to the other nodes first, as before, and each
 * node chunks its own sockets' delivery (a broadcast heard from another node goes through the same
 * in-memory `broadcast`). A broadcast small enough for one chunk with nothing queued is written at once.
 * Broadcasts with acknowledgements (not used by stickyroom) and every other use of the adapter (joins,
 * leaves, fetches) are left alone. `localBacklog()`, added to the adapter, tells how many writes wait.
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

  const drain = (): void => {
    let budget = chunk;
    try {
      while (queue.length > 0 && budget > 0) {
        const d = queue[0]!;
        const end = Math.min(d.sockets.length, d.next + budget);
        budget -= end - d.next;
        queued -= end - d.next;
        const members = d.rooms.size > 0 ? [...d.rooms].map((room) => a.rooms.get(room)) : undefined;
        while (d.next < end) {
          const socket = d.sockets[d.next++]!;
          if (stillIn(socket, members)) d.write(socket);
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
  a.apply = (opts, callback) => {
    if (!broadcasting) return apply(opts, callback);
    broadcasting = false;
    const framed = frame;
    frame = undefined;
    const write = framed ? (socket: TargetSocket) => void (writeFrameDirect(socket, framed) || callback(socket)) : callback;
    const sockets: TargetSocket[] = [];
    apply(opts, (socket) => void sockets.push(socket));
    if (queue.length === 0 && sockets.length <= chunk) {
      for (const socket of sockets) write(socket);
      return;
    }
    queue.push({ sockets, next: 0, rooms: new Set(opts.rooms), write });
    queued += sockets.length;
    if (!scheduled) {
      scheduled = true;
      drain();
    }
  };
  a.localBacklog = () => queued;
  return adapter;
}
