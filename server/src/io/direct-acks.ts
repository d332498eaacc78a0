import { createRequire } from 'node:module';
import { idleConnection } from './direct-frames.js';

/** `ws`'s frame header maker (not in its published types), as socket.io-adapter uses it for a broadcast's frame. */
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: { frame(data: Buffer, options: { readOnly: boolean; mask: boolean; rsv1: boolean; opcode: number; fin: boolean }): Buffer[] };
};
/** A final text frame from the server (unmasked), header apart from the payload. */
const TEXT_FRAME = { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true };
/** The longest WebSocket frame header: 2 bytes and a 64-bit length. */
const HEADER_MAX = 10;

/**
 * Acks written as bytes straight to their socket. Any ack the dispatcher sends goes this way where its connection
 * is idle: through engine.io and `ws`, each became a packet object, engine.io events, a corked two-part `writev`
 * and a callback on the next tick (in a claim burst, 10,000 acks within seconds).
 *
 * Join acks gain most. A join ack is mostly the moment's shared values (the chat history, pins, drops:
 * shared-parts-encoder.ts), about 5 KB. Through engine.io and `ws`, every ack
 * became one string again: `ws` flattened the spliced ack to measure it (5 KB of garbage per join, a sixth of
 * a join storm's allocations) and then encoded all of it to UTF-8 once more on the write. Here each shared
 * value is encoded to UTF-8 once, the ack's frame is made of those bytes and the viewer's own few hundred, and
 * written with one `write` where nothing of the connection waits (direct-frames.ts, as a broadcast is).
 * Anywhere else the ack goes through engine.io as before.
 */

/** A shared value's JSON, and its UTF-8 bytes once a direct ack has needed them. */
export class SharedJson {
  private utf8: Buffer | undefined;

  constructor(readonly json: string) {}

  get bytes(): Buffer {
    return (this.utf8 ??= Buffer.from(this.json));
  }
}

/** An ack's JSON in order: runs of its own text between shared values. */
export type JsonParts = readonly (string | SharedJson)[];

/** Collects JsonParts: text goes into the current run, a shared value ends it. */
export class JsonOut {
  private readonly parts: (string | SharedJson)[] = [];
  private run = '';

  text(s: string): void {
    this.run += s;
  }

  shared(value: SharedJson): void {
    if (this.run) this.parts.push(this.run);
    this.run = '';
    this.parts.push(value);
  }

  /** A point to rewind to, as long as only text was written since (an object key whose value is left out). */
  mark(): string {
    return this.run;
  }

  rewind(mark: string): void {
    this.run = mark;
  }

  end(): JsonParts {
    if (this.run) this.parts.push(this.run);
    return this.parts;
  }
}

/** The parts as one string. */
export function textOf(parts: JsonParts): string {
  let text = '';
  for (const p of parts) text += typeof p === 'string' ? p : p.json;
  return text;
}

/** The engine.io packet type of a message: what engine.io puts before every Socket.IO packet it sends. */
const ENGINE_MESSAGE = '4';

/**
 * A final, unmasked (server to client) WebSocket text frame holding `head`, then `parts`, as one buffer from
 * `alloc`: the payload is written after room for the longest header, and `ws`'s header goes right before it.
 */
export function textFrame(head: string, parts: JsonParts, alloc: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  let length = Buffer.byteLength(head);
  for (const p of parts) length += typeof p === 'string' ? Buffer.byteLength(p) : p.bytes.length;
  const bytes = alloc(HEADER_MAX + length);
  const payload = bytes.subarray(HEADER_MAX);
  let at = payload.write(head);
  for (const p of parts) at += typeof p === 'string' ? payload.write(p, at) : p.bytes.copy(payload, at);
  const header = Sender.frame(payload, TEXT_FRAME)[0]!;
  header.copy(bytes, HEADER_MAX - header.length);
  return bytes.subarray(HEADER_MAX - header.length);
}

/**
 * Where a direct ack's frame is made when it fits. A join ack is over 4 KB, past Node's pool of small buffers,
 * so a buffer of its own per ack cost a fresh ArrayBuffer each: a tenth of a join storm's CPU in a profile. The
 * frame is handed to the kernel by the write that follows, and the scratch is used again; where the kernel did not
 * take it all at once, Node keeps the rest in it until written, and the next ack gets a new scratch.
 */
const SCRATCH_BYTES = 64 * 1024;
let scratch: Buffer | undefined;

function scratchBytes(size: number): Buffer {
  if (size > SCRATCH_BYTES) return Buffer.allocUnsafe(size);
  scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  return scratch.subarray(0, size);
}

/** The socket whose ack the dispatcher is sending, only while it does (socket.io encodes an ack synchronously). */
let sending: unknown;

/** Calls socket.io's ack callback `reply` of `socket`; an ack carrying shared values may then be written directly. */
export function replyTo<T>(socket: unknown, reply: (res: T) => void, res: T): void {
  sending = socket;
  try {
    reply(res);
  } finally {
    sending = undefined;
  }
}

/**
 * Writes the ack being sent (its Socket.IO packet head `3<id>` and JSON parts, or the whole packet as `head`) to
 * its socket's connection when nothing of it waits; false, having written nothing, anywhere else or outside replyTo.
 */
export function writeAckDirect(head: string, parts: JsonParts): boolean {
  if (sending === undefined) return false;
  const tcp = idleConnection(sending);
  if (!tcp) return false;
  const frame = textFrame(ENGINE_MESSAGE + head, parts, scratchBytes);
  tcp.write(frame);
  if (tcp.writableLength > 0 && frame.buffer === scratch?.buffer) scratch = undefined;
  return true;
}
