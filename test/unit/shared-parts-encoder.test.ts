import { createRequire } from 'node:module';
import type * as SocketIoParser from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import { markShared } from '../../core/src/room/shared-values.js';
import { replyTo, SharedJson, textFrame, textOf } from '../../server/src/io/direct-acks.js';
import { SharedPartsEncoder, sharedPartsParser } from '../../server/src/io/shared-parts-encoder.js';

const { Encoder, Decoder, PacketType } = createRequire(import.meta.url)('socket.io-parser') as typeof SocketIoParser;
/** `ws`'s frame reader (not in its published types): what a Node client makes of the bytes it receives. */
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (opts: { isServer: boolean }) => import('node:stream').Writable;
};
type Packet = SocketIoParser.Packet;

/** What a client's decoder makes of encoded packets. */
function decode(encoded: unknown[]): Packet[] {
  const decoder = new Decoder();
  const out: Packet[] = [];
  decoder.on('decoded', (p: Packet) => out.push(p));
  for (const chunk of encoded) decoder.add(chunk);
  return out;
}

const message = (i: number) => ({ id: String(1000 + i), userId: `u${i}`, name: `Viewer ${i} «ü»`, text: `hello "${i}"\n✓`, at: 1_700_000_000_000 + i });

/** A join ack as the dispatcher sends it: the shared parts of the moment, and the viewer's own. */
function joinAck(shared: ReturnType<typeof sharedParts>, viewer: number): Packet {
  return {
    type: PacketType.ACK,
    nsp: '/',
    id: viewer,
    data: [
      {
        ok: true,
        stream: { id: 's1', brandId: 'b1', title: 'Flash sale', status: 'live', startedAt: 5, endedAt: undefined },
        viewers: 1000 + viewer,
        chat: shared.history.chat,
        pinned: { message: shared.pinnedMessage, product: shared.product },
        quiz: shared.quiz.open,
        lottery: { id: 'l1', prize: 'a bag', entrants: 12, entered: viewer % 2 === 0 },
        drops: shared.drops.filter((d) => d.audience === undefined || viewer % 2 === 0),
        reactions: shared.reactions,
        skipped: () => 1,
        nothing: undefined,
        list: [undefined, () => 1, NaN, Infinity, -0, null, new Date(0)],
      },
    ],
  };
}

function sharedParts() {
  return {
    history: markShared({ chat: Array.from({ length: 50 }, (_, i) => message(i)), gap: false }),
    pinnedMessage: markShared(message(99)),
    product: markShared({ id: 'p1', title: 'Bag', price: 49.9, image: null }),
    quiz: markShared({ open: { id: 'q1', question: 'Which colour?', options: ['red', 'blue'], endsAt: 9 }, lastResult: null }),
    drops: markShared([
      { id: 'd1', stock: 500, audience: undefined },
      { id: 'd2', stock: 100, audience: { tier: 'gold' } },
    ]),
    reactions: markShared({ heart: 3, fire: 0 }),
  };
}

describe('the shared-parts encoder', () => {
  it('writes a join ack byte for byte as the stock encoder does, for every viewer of one moment', () => {
    const shared = sharedParts();
    const ours = new SharedPartsEncoder();
    const stock = new Encoder();
    for (let viewer = 0; viewer < 4; viewer++) {
      const packet = joinAck(shared, viewer);
      const got = ours.encode(packet);
      expect(got).toEqual(stock.encode(packet));
      expect(got).toHaveLength(1);
      expect(decode(got)).toEqual(decode(stock.encode(packet)));
    }
  });

  it('writes a rejoin ack (missed messages not shared, deeper values of every kind) as the stock encoder does', () => {
    const shared = sharedParts();
    const missed = Array.from({ length: 5 }, (_, i) => ({ ...message(i), meta: { at: new Date(i), tags: ['a', undefined], gone: undefined, n: NaN } }));
    const packet: Packet = {
      type: PacketType.ACK,
      nsp: '/',
      id: 41,
      data: [{ ok: true, chat: missed, chatGap: true, pinned: { message: shared.pinnedMessage }, deep: { a: { b: { c: [1, { d: undefined }] } } } }],
    };
    const got = new SharedPartsEncoder().encode(packet);
    expect(got).toEqual(new Encoder().encode(packet));
    expect(got).toHaveLength(1);
  });

  it('encodes a shared value once for all the acks that carry it', () => {
    let reads = 0;
    const counted = { id: 'c1' } as Record<string, unknown>;
    Object.defineProperty(counted, 'text', { enumerable: true, get: () => `read ${++reads}` });
    markShared(counted);
    const ours = new SharedPartsEncoder();
    const a = ours.encode({ type: PacketType.ACK, nsp: '/', id: 1, data: [{ ok: true, item: counted }] });
    const afterFirst = reads;
    const b = ours.encode({ type: PacketType.ACK, nsp: '/', id: 2, data: [{ ok: true, item: counted }] });
    // the second ack reuses the first one's encoding: the value is not read again
    expect(reads).toBe(afterFirst);
    expect(a).toEqual([`31[{"ok":true,"item":{"id":"c1","text":"read ${afterFirst}"}}]`]);
    expect(b).toEqual([`32[{"ok":true,"item":{"id":"c1","text":"read ${afterFirst}"}}]`]);
  });

  it('leaves acks without shared parts, events, and other namespaces to the stock encoder', () => {
    const shared = sharedParts();
    const packets: Packet[] = [
      { type: PacketType.ACK, nsp: '/', id: 7, data: [{ ok: true, code: 'ABC' }] },
      { type: PacketType.ACK, nsp: '/', id: 8, data: [{ ok: false, error: { code: 'banned', message: 'no' } }] },
      { type: PacketType.EVENT, nsp: '/', data: ['chat:message', shared.pinnedMessage] },
      { type: PacketType.ACK, nsp: '/admin', id: 0, data: [{ ok: true, chat: shared.history.chat }] },
      { type: PacketType.ACK, nsp: '/', id: 3, data: [shared.product, 'and', 2] },
      { type: PacketType.CONNECT, nsp: '/', data: { sid: 'abc' } },
    ];
    const ours = new SharedPartsEncoder();
    const stock = new Encoder();
    for (const packet of packets) expect(ours.encode(packet)).toEqual(stock.encode(packet));
  });

  it('sends an ack holding binary data as the stock encoder does (attachments), shared parts or not', () => {
    const shared = sharedParts();
    const withBuffer = markShared({ name: 'file', bytes: Buffer.from([1, 2, 3]) });
    const packets: Packet[] = [
      // binary among the viewer's own parts
      { type: PacketType.ACK, nsp: '/', id: 4, data: [{ ok: true, chat: shared.history.chat, blob: Buffer.from('xyz') }] },
      // binary deep among the viewer's own parts, where the encoder leaves the writing to JSON.stringify
      { type: PacketType.ACK, nsp: '/', id: 7, data: [{ ok: true, chat: shared.history.chat, extra: { a: { b: { c: new Uint8Array([1]) } } } }] },
      // binary inside a shared value
      { type: PacketType.ACK, nsp: '/', id: 5, data: [{ ok: true, chat: shared.history.chat, file: withBuffer }] },
      { type: PacketType.EVENT, nsp: '/', data: ['bin', new Uint8Array([9, 8])] },
    ];
    const ours = new SharedPartsEncoder();
    const stock = new Encoder();
    for (const packet of packets) {
      const got = ours.encode(packet);
      expect(got.length).toBeGreaterThan(1);
      expect(got).toEqual(new Encoder().encode(packet));
      const [decoded] = decode(got);
      expect(decoded?.type).toBe(packet.type);
      expect(decoded).toEqual(decode(stock.encode(packet))[0]);
    }
    // and the shared value that held binary is still written correctly in a later ack without it
    const later: Packet = { type: PacketType.ACK, nsp: '/', id: 6, data: [{ ok: true, chat: shared.history.chat, file: withBuffer }] };
    expect(ours.encode(later)).toEqual(stock.encode(later));
  });

  it('is the parser the server is given, with the stock decoder', () => {
    expect(sharedPartsParser.Encoder).toBe(SharedPartsEncoder);
    expect(sharedPartsParser.Decoder).toBe(Decoder);
  });
});

describe('a join ack as one WebSocket frame', () => {
  /** What a WebSocket client reads of the frame: the text message, or why it refused it. */
  function read(frame: Buffer): Promise<string> {
    const receiver = new Receiver({ isServer: false });
    return new Promise((resolve, reject) => {
      receiver.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? reject(new Error('a binary frame')) : resolve(data.toString())));
      receiver.on('error', reject);
      receiver.write(frame);
    });
  }

  it('is read by a client as the ack text, at every size of its length field', async () => {
    // payloads of exactly these many bytes: each side of the 7-bit, 16-bit and 64-bit length fields
    for (const bytes of [10, 125, 126, 127, 65_535, 65_536, 200_000]) {
      const shared = new SharedJson(JSON.stringify('a'.repeat(bytes - 7)));
      const parts = ['[', shared, ']'];
      const frame = textFrame('431', parts);
      expect(await read(frame)).toBe(`431["${'a'.repeat(bytes - 7)}"]`);
      expect(frame.length - bytes).toBe(bytes < 126 ? 2 : bytes < 65_536 ? 4 : 10);
    }
  });

  it("carries text of every kind as UTF-8, shared or the viewer's own", async () => {
    const shared = new SharedJson(JSON.stringify({ text: '<script>alert("x")</script> é✓🎉 \u2028', n: 1 }));
    const parts = ['[{"ok":true,"chat":', shared, ',"own":"ü🎉"}]'];
    const text = await read(textFrame('4312', parts));
    expect(text).toBe('4312' + textOf(parts));
    expect(JSON.parse(text.slice(4))).toEqual([{ ok: true, chat: JSON.parse(shared.json), own: 'ü🎉' }]);
  });

  /**
   * A Socket.IO socket as the direct write reads it, over a TCP socket whose kernel takes a frame at once (a copy
   * of its bytes then, as the write system call makes) or not at all (Node then keeps the buffer itself).
   */
  function connection(kernelTakesAll: boolean) {
    const handed: Buffer[] = [];
    const tcp = {
      writable: true,
      writableLength: 0,
      write(b: Buffer) {
        handed.push(kernelTakesAll ? Buffer.from(b) : b);
        if (!kernelTakesAll) tcp.writableLength += b.length;
        return true;
      },
    };
    const ws = { readyState: 1, _sender: { _queue: [], _state: 0 }, _socket: tcp };
    const socket = { client: { conn: { readyState: 'open', writeBuffer: [], transport: { name: 'websocket', writable: true, socket: ws } } } };
    return { socket, handed };
  }

  /** The text of a frame made by textFrame (an unmasked frame: 2, 4 or 10 bytes of header). */
  const payload = (frame: Buffer) => frame.subarray(frame[1] === 126 ? 4 : frame[1] === 127 ? 10 : 2).toString();

  it('keeps the bytes of an ack the kernel did not take at once, however many acks are made after it', () => {
    const shared = sharedParts();
    const ours = new SharedPartsEncoder();
    const stock = new Encoder();
    const slow = connection(false);
    const fast = connection(true);
    replyTo(slow.socket, () => expect(ours.encode(joinAck(shared, 1))).toEqual([]), undefined);
    expect(slow.handed).toHaveLength(1);
    const handedOver = Buffer.from(slow.handed[0]!);
    for (let viewer = 2; viewer < 6; viewer++) replyTo(fast.socket, () => expect(ours.encode(joinAck(shared, viewer))).toEqual([]), undefined);
    // Node still holds the slow one's frame for the kernel: it must not have changed
    expect(slow.handed[0]!.equals(handedOver)).toBe(true);
    expect(payload(slow.handed[0]!)).toBe(`4${stock.encode(joinAck(shared, 1))[0] as string}`);
    for (const [i, frame] of fast.handed.entries()) expect(payload(frame)).toBe(`4${stock.encode(joinAck(shared, i + 2))[0] as string}`);
  });
});
