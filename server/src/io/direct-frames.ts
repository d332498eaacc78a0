/** What a broadcast's packet options carry once socket.io-adapter has framed it (`_encode`): the WebSocket frame's parts. */
export interface FramedOpts {
  wsPreEncodedFrame?: Buffer[];
}

/**
 * The parts of one server-side Socket.IO socket the direct write reads (not in the public types): its
 * engine.io connection, that connection's WebSocket transport and, under it, the `ws` socket and its TCP socket.
 */
interface DirectTarget {
  client?: {
    conn?: {
      readyState?: string;
      writeBuffer?: unknown[];
      transport?: {
        name?: string;
        writable?: boolean;
        perMessageDeflate?: unknown;
        socket?: {
          readyState?: number;
          _sender?: { _queue?: unknown[]; _state?: number };
          _socket?: DirectWritable & { writable?: boolean };
        };
      };
    };
  };
  _anyOutgoingListeners?: unknown[];
}

/** ws's `WebSocket.OPEN`, and its `Sender`'s state when it is neither compressing nor reading a Blob. */
const WS_OPEN = 1;
const SENDER_IDLE = 0;

/**
 * The broadcast's WebSocket frame as one buffer (header and payload), put back into the options so engine.io,
 * where it still writes the frame itself, makes one `write` of it instead of a corked `writev` of two; undefined
 * where the adapter made no frame (a packet with binary attachments).
 */
export function singleFrame(opts: FramedOpts): Buffer | undefined {
  const parts = opts.wsPreEncodedFrame;
  if (!Array.isArray(parts) || parts.length === 0) return undefined;
  const frame = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  opts.wsPreEncodedFrame = [frame];
  return frame;
}

/**
 * Writes a broadcast's ready-made WebSocket frame straight to one socket's TCP connection, where nothing can
 * come between: a connection that is open over a WebSocket without compression, whose engine.io and `ws` hold
 * no packet or frame not yet written and whose TCP socket has no byte waiting in user space. There the frame
 * would have gone to the same TCP socket in the same order anyway; engine.io's path to it (a packet object,
 * its `packetCreate`/`flush`/`drain` events, the `ws` sender's cork and two-part `writev`, a callback on the
 * next tick) cost more than the system call itself (docs/benchmarks-history.md, room). Returns false, having written
 * nothing, anywhere else (a slow consumer with bytes waiting, a long-polling client, a closing socket, an
 * outgoing-packet listener), and the caller then gives the packet to engine.io as before: the slow-consumer
 * cap (slow-consumer.ts) sees every packet of a socket that has bytes waiting.
 */
export function writeFrameDirect(socket: unknown, frame: Buffer): boolean {
  const tcp = idleConnection(socket);
  if (!tcp) return false;
  tcp.write(frame);
  return true;
}

/** What a direct write writes to. */
export interface DirectWritable {
  write(chunk: Buffer): boolean;
  /** Bytes given to write() and not yet handed to the kernel. */
  readonly writableLength: number;
}

/**
 * The TCP socket under one Socket.IO socket when a frame written straight to it now would arrive in the
 * order engine.io would have written it (see writeFrameDirect); undefined anywhere else.
 */
export function idleConnection(socket: unknown): DirectWritable | undefined {
  const target = socket as DirectTarget;
  if (target._anyOutgoingListeners?.length) return undefined;
  const conn = target.client?.conn;
  const transport = conn?.transport;
  const ws = transport?.socket;
  const tcp = ws?._socket;
  if (conn?.readyState !== 'open' || conn.writeBuffer?.length !== 0) return undefined;
  if (transport?.name !== 'websocket' || transport.writable !== true || transport.perMessageDeflate) return undefined;
  if (ws?.readyState !== WS_OPEN || ws._sender?._state !== SENDER_IDLE || ws._sender._queue?.length !== 0) return undefined;
  if (!tcp || tcp.writable !== true || tcp.writableLength !== 0) return undefined;
  return tcp;
}
