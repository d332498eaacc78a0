import type { EventEmitter } from 'node:events';
import type { Socket as NetSocket } from 'node:net';
import type { Logger } from '../../../core/src/logger.js';
import type { AppSocket } from './handler.js';

/** What this module reads of an engine.io connection (not in its public types). */
interface EngineConn extends EventEmitter {
  writeBuffer: { data?: unknown }[];
  transport: { name: string };
  close(discard?: boolean): void;
}

/** Bytes a packet holds while it waits (its encoded payload; close enough for a cap). */
function packetBytes(p: { data?: unknown }): number {
  const d = p.data;
  if (typeof d === 'string') return d.length;
  if (d instanceof ArrayBuffer || ArrayBuffer.isView(d)) return d.byteLength;
  return 16;
}

/** How long a dropped socket's connection may take to close before it is destroyed. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Caps the bytes this node holds for one socket: packets engine.io keeps while the transport cannot take
 * them (a WebSocket whose peer stopped reading, a long-poll nobody fetches) plus what sits in the TCP
 * socket's user-space write buffer. Without a cap, one client that stops reading grows the node's memory
 * by every push of its rooms. Over the cap, the backlog is discarded and the socket ended with
 * `session:ended { reason: 'slow_consumer' }` (a client that reads again sees it and reconnects, the SDK
 * catching up on chat); a connection that does not close within a few seconds is destroyed.
 */
export function capBufferedBytes(socket: AppSocket, cap: number, log: Logger, onDropped?: () => void): void {
  const conn = socket.conn as unknown as EngineConn;
  const tcp = (socket.request as { socket?: NetSocket }).socket;
  let queued = 0;
  let dropped = false;
  const buffered = () => queued + (conn.transport.name === 'websocket' && tcp ? tcp.writableLength : 0);
  conn.on('packetCreate', (p: { data?: unknown }) => {
    queued += packetBytes(p);
    if (dropped || buffered() <= cap) return;
    dropped = true;
    log.warn({ socket: socket.id, user: socket.data.user?.id, buffered: buffered(), cap }, 'dropping a slow consumer: its unsent bytes passed the cap');
    conn.writeBuffer.length = 0;
    queued = 0;
    onDropped?.();
    socket.emit('session:ended', { reason: 'slow_consumer' });
    socket.disconnect(true);
    setTimeout(() => {
      if (tcp && !tcp.destroyed) tcp.destroy();
    }, CLOSE_GRACE_MS).unref();
  });
  conn.on('flush', (sent: { data?: unknown }[]) => {
    for (const p of sent) queued -= packetBytes(p);
  });
}
