import { createRequire } from 'node:module';
import type * as SocketIoParser from 'socket.io-parser';
import { isShared } from '../../../core/src/room/shared-values.js';
import { JsonOut, SharedJson, textOf, writeAckDirect, type JsonParts } from './direct-acks.js';

// The build socket.io itself loads (CommonJS): incoming packets are decoded by exactly the Decoder they were before.
const parser = createRequire(import.meta.url)('socket.io-parser') as typeof SocketIoParser;
const { Decoder, Encoder: StockEncoder, PacketType } = parser;
type Packet = SocketIoParser.Packet;

/** Thrown out of the walk when a reply holds binary data: the stock encoder then sends it as attachments. */
const HOLDS_BINARY = Symbol('holds binary');
/** How deep the encoder looks for shared values: the ack's arguments (0), the ack (1), its values (2), their parts (3). */
const SHARED_DEPTH = 3;
/** In the cache: a shared value that cannot be encoded ahead (it holds binary data or has its own toJSON). */
const NOT_AHEAD = Symbol('not encoded ahead');

function isBinary(value: object): boolean {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value) || value instanceof Blob;
}

/** socket.io-parser's test for binary data anywhere in a value (its `hasBinary`, which it does not export). */
function hasBinary(value: unknown, viaToJson = false): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => hasBinary(v));
  if (isBinary(value)) return true;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (!viaToJson && typeof toJSON === 'function') return hasBinary((toJSON as () => unknown).call(value), true);
  for (const key in value) if (Object.hasOwn(value, key) && hasBinary((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * socket.io-parser's Encoder, except for an ack that carries shared values (core/src/room/shared-values.ts: the
 * parts of a join snapshot every join of one moment carries alike). When a stream goes live thousands of join
 * acks of about 10 KB go out within seconds, nearly all of each the same objects; the stock encoder would
 * JSON-encode each ack whole and walk it whole for binary parts. Here a shared value is encoded once, the
 * first time an ack carries it, and spliced into every ack after that; only the viewer's own parts are
 * encoded per ack.
 *
 * The packet is the stock encoder's byte for byte: the same header (`3<nsp,><id>`), and the JSON made here
 * is what `JSON.stringify` makes of the same data (keys in the same order, `undefined` and functions left
 * out of objects and `null` in arrays, `toJSON` honoured). An ack holding binary data anywhere, and every
 * other packet (events, broadcasts, connects), goes through the stock encoder unchanged. Inter-node
 * messages never pass here: the Redis adapters encode them with MessagePack (or JSON) themselves, and a
 * broadcast is encoded once by the adapter of the node that delivers it, with the stock path.
 */
export class SharedPartsEncoder extends StockEncoder {
  /** A shared value's JSON, made the first time an ack carries it; weak, so a moment's values can go. */
  private readonly encoded = new WeakMap<object, SharedJson | typeof NOT_AHEAD>();

  override encode(packet: Packet): unknown[] {
    if (packet.type !== PacketType.ACK || !Array.isArray(packet.data)) return super.encode(packet) as unknown[];
    if (carriesShared(packet.data)) {
      const parts = this.encodeData(packet.data);
      if (parts !== undefined) {
        const head = header(packet);
        // the ack the dispatcher is sending, written whole to its socket where nothing waits (direct-acks.ts)
        if (writeAckDirect(head, parts)) return [];
        return [head + textOf(parts)];
      }
    }
    const encoded = super.encode(packet) as unknown[];
    // any other ack too (a claim's answer: 10,000 of them in a flash sale's second), where it is one text packet
    if (encoded.length === 1 && typeof encoded[0] === 'string' && writeAckDirect(encoded[0], [])) return [];
    return encoded;
  }

  /** The ack's data as `JSON.stringify` makes it, in parts (shared values apart), or undefined when it holds binary data. */
  private encodeData(data: unknown[]): JsonParts | undefined {
    const out = new JsonOut();
    try {
      if (!this.json(data, '', 0, out)) out.text('null');
      return out.end();
    } catch (err) {
      if (err === HOLDS_BINARY) return undefined;
      throw err;
    }
  }

  /**
   * Writes `JSON.stringify(value)` at property `key` to `out`, with every shared value's JSON made once; false,
   * having written nothing, where JSON.stringify leaves the value out (undefined, a function, a symbol). Throws
   * HOLDS_BINARY. Shared values sit at most SHARED_DEPTH levels down (the ack's own values, and their parts:
   * `pinned.message`, each drop); below that a value that is not shared is written by `JSON.stringify` itself,
   * after the binary check (a rejoin's missed messages are not shared, and a walk here would be slower than the
   * native one).
   */
  private json(value: unknown, key: string, depth: number, out: JsonOut): boolean {
    if (typeof value !== 'object' || value === null) {
      const json = JSON.stringify(value);
      if (json === undefined) return false;
      out.text(json);
      return true;
    }
    if (isBinary(value)) throw HOLDS_BINARY;
    if (isShared(value)) {
      const ahead = this.ahead(value);
      if (ahead !== NOT_AHEAD) {
        out.shared(ahead);
        return true;
      }
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return this.json((toJSON as (key: string) => unknown).call(value, key), key, depth, out);
    // boxed primitives (new String('x')) are written as their primitive
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      out.text(JSON.stringify(value));
      return true;
    }
    if (depth >= SHARED_DEPTH) {
      if (hasBinary(value)) throw HOLDS_BINARY;
      out.text(JSON.stringify(value));
      return true;
    }
    if (Array.isArray(value)) {
      out.text('[');
      for (let i = 0; i < value.length; i++) {
        if (i) out.text(',');
        if (!this.json(value[i], String(i), depth + 1, out)) out.text('null');
      }
      out.text(']');
      return true;
    }
    out.text('{');
    let first = true;
    for (const k of Object.keys(value)) {
      const mark = out.mark();
      out.text(keyJson(k, first));
      if (this.json((value as Record<string, unknown>)[k], k, depth + 1, out)) first = false;
      else out.rewind(mark);
    }
    out.text('}');
    return true;
  }

  /** A shared value's JSON, made on first use; NOT_AHEAD when it holds binary data or writes itself (toJSON). */
  private ahead(value: object): SharedJson | typeof NOT_AHEAD {
    let json = this.encoded.get(value);
    if (json === undefined) {
      const own = typeof (value as { toJSON?: unknown }).toJSON === 'function';
      json = own || hasBinary(value) ? NOT_AHEAD : new SharedJson(JSON.stringify(value));
      this.encoded.set(value, json);
    }
    return json;
  }
}

/** `"key":` and `,"key":` for the keys of the acks' own objects (a handful: the snapshot's parts), made once each. */
const keyJsons = new Map<string, readonly [first: string, next: string]>();
/** Beyond this many distinct keys, a key is written afresh each time (no cache grows without bound). */
const KEY_JSONS_MAX = 1000;

function keyJson(k: string, first: boolean): string {
  let j = keyJsons.get(k);
  if (j === undefined) {
    const head = JSON.stringify(k) + ':';
    j = [head, ',' + head];
    if (keyJsons.size < KEY_JSONS_MAX) keyJsons.set(k, j);
  }
  return first ? j[0] : j[1];
}

/** Whether an ack's arguments carry a shared value (as themselves or as one of their own values). */
function carriesShared(args: unknown[]): boolean {
  for (const arg of args) {
    if (typeof arg !== 'object' || arg === null) continue;
    if (isShared(arg)) return true;
    if (Array.isArray(arg)) continue;
    for (const k in arg) if (isShared((arg as Record<string, unknown>)[k])) return true;
  }
  return false;
}

/** The packet's head as socket.io-parser's encodeAsString writes it: type, namespace unless `/`, id. */
function header(packet: Packet): string {
  let head = String(packet.type);
  if (packet.nsp && packet.nsp !== '/') head += packet.nsp + ',';
  if (packet.id !== undefined && packet.id !== null) head += packet.id;
  return head;
}

/** The `parser` option of the Socket.IO server: socket.io-parser's Decoder, the encoder above. */
export const sharedPartsParser = { Encoder: SharedPartsEncoder, Decoder };
