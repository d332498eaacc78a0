import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Adapter } from 'socket.io-adapter';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { markShared } from '../../core/src/room/shared-values.js';
import { chunkedDelivery } from '../../server/src/io/chunked-delivery.js';
import { replyTo } from '../../server/src/io/direct-acks.js';
import { sharedPartsParser } from '../../server/src/io/shared-parts-encoder.js';

/** A list that says when it holds `n` items (sockets joined, events received): awaited, never polled. */
class Arrivals<T> {
  readonly items: T[] = [];
  private waiting: { n: number; resolve: () => void }[] = [];

  push(item: T): void {
    this.items.push(item);
    this.waiting = this.waiting.filter((w) => (this.items.length >= w.n ? (w.resolve(), false) : true));
  }

  reach(n: number): Promise<void> {
    return this.items.length >= n ? Promise.resolve() : new Promise((resolve) => this.waiting.push({ n, resolve }));
  }
}

/** A Socket.IO server whose adapter is the in-memory one every stickyroom adapter extends, chunked as in production. */
async function serve(chunk: number) {
  const http: HttpServer = createServer();
  const io = new Server(http, {
    adapter: function (nsp: unknown) {
      return chunkedDelivery(new Adapter(nsp as never), chunk);
    } as never,
    parser: sharedPartsParser,
  });
  const joined = new Arrivals<ServerSocket>();
  io.on('connection', (socket) => {
    void socket.join('r');
    joined.push(socket);
    socket.on('ping-me', (ack: (n: number) => void) => ack(42));
    // as the dispatcher answers any other request (a claim): a small ack of the socket's own
    socket.on('claim-me', (n: number, ack: (res: unknown) => void) => replyTo(socket, ack, { ok: false, error: { code: 'sold_out', message: `<script>${n}</script> ✓` } }));
    // as the dispatcher answers a join: the moment's shared values and the viewer's own
    socket.on('join-me', (ack: (res: unknown) => void) => replyTo(socket, ack, { ok: true, own: socket.id, ...snapshot }));
    // the same, answered right after two pushes: the second waits in engine.io's buffer while the first is written
    socket.on('join-me-after-pushes', (ack: (res: unknown) => void) => {
      socket.emit('own', 1);
      socket.emit('own', 2);
      replyTo(socket, ack, { ok: true, own: socket.id, ...snapshot });
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  open.push({ close: () => void (io.close(), http.close()) });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { io, http, url, joined };
}

/** A join snapshot's shared values, one of them past 64 KiB (the 8-byte length header) and of every kind of text. */
const snapshot = markShared({
  chat: Array.from({ length: 20 }, (_, i) => ({ id: String(i), text: `<script>alert(${i})</script> "quoted" \\ ✓ 🎉 ${'é'.repeat(i === 7 ? 70_000 : 10)}` })),
  drops: [{ id: 'd1', stock: 500, note: null }],
  viewers: 3,
});

const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

async function client(url: string, transports: ('websocket' | 'polling')[] = ['websocket']): Promise<{ socket: Socket; got: Arrivals<unknown[]> }> {
  const socket = connect(url, { transports, forceNew: true, reconnection: false });
  open.push(socket);
  const got = new Arrivals<unknown[]>();
  socket.onAny((event: string, ...args: unknown[]) => got.push([event, ...args]));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, got };
}

/** One WebSocket client and one long-polling client, joined, and the WebSocket one's server-side socket. */
async function wsAndPolling(url: string, joined: Arrivals<ServerSocket>) {
  const ws = await client(url);
  const polling = await client(url, ['polling']);
  await joined.reach(2);
  const wsServerSide = joined.items.find((s) => s.conn.transport.name === 'websocket')!;
  return { ws, polling, wsServerSide };
}

describe('broadcast frames written straight to an idle WebSocket', () => {
  it('arrive whole and in the order of everything the socket was sent, its own pushes and acks between them', async () => {
    const { io, url, joined } = await serve(1000);
    const a = await client(url);
    await joined.reach(1);
    const text = `<script>alert(1)</script> ${'é'.repeat(70_000)}`; // a frame past 64 KiB: the 8-byte length header
    io.to('r').emit('b', 1, text);
    joined.items[0]!.emit('own', 2);
    joined.items[0]!.emit('own', 2.5); // waits in engine.io's buffer until the write before it is done
    io.to('r').emit('b', 3);
    const acked = a.socket.emitWithAck('ping-me');
    io.to('r').emit('b', 4);
    expect(await acked).toBe(42);
    await a.got.reach(5);
    expect(a.got.items).toEqual([['b', 1, text], ['own', 2], ['own', 2.5], ['b', 3], ['b', 4]]);
  });

  it('reach a big room in chunks, long-polling clients and binary broadcasts through engine.io, each socket in order', async () => {
    const { io, url, joined } = await serve(3);
    const clients: { socket: Socket; got: Arrivals<unknown[]> }[] = [];
    for (let i = 0; i < 8; i++) clients.push(await client(url, i % 4 === 3 ? ['polling'] : ['websocket']));
    await joined.reach(8);
    for (let n = 0; n < 20; n++) io.to('r').emit('b', n);
    io.to('r').emit('bin', Buffer.from([1, 2, 3]));
    io.to('r').emit('b', 20);
    const want = [...Array.from({ length: 20 }, (_, n) => ['b', n]), ['bin', Buffer.from([1, 2, 3])], ['b', 20]];
    await Promise.all(clients.map((c) => c.got.reach(want.length)));
    for (const c of clients) expect(c.got.items.map(([e, v]) => [e, Buffer.isBuffer(v) || v instanceof ArrayBuffer ? Buffer.from(v as Buffer) : v])).toEqual(want);
  });

  it('go to the same sockets in one write when one is queued right after the other (a chat frame and the state pushed with it)', async () => {
    const { io, url, joined } = await serve(3);
    const clients: { socket: Socket; got: Arrivals<unknown[]> }[] = [];
    for (let i = 0; i < 8; i++) clients.push(await client(url));
    await joined.reach(8);
    const writes = joined.items.map((s) => {
      const tcp = (s.conn.transport as unknown as { socket: { _socket: { write: (...args: unknown[]) => boolean } } }).socket._socket;
      const counted = { n: 0 };
      const write = tcp.write.bind(tcp);
      tcp.write = (...args: unknown[]) => (counted.n++, write(...args));
      return counted;
    });
    const text = '<script>alert(1)</script> ✓';
    io.to('r').emit('chat', text);
    io.to('r').emit('state', { likes: 3 });
    await Promise.all(clients.map((c) => c.got.reach(2)));
    for (const c of clients) expect(c.got.items).toEqual([['chat', text], ['state', { likes: 3 }]]);
    expect(writes.map((w) => w.n)).toEqual(Array.from({ length: 8 }, () => 1));
  });

  it('go around engine.io for an idle WebSocket (a library upgrade that renames what this reads shows here, not as a slower node)', async () => {
    const { io, url, joined } = await serve(1000);
    const a = await client(url);
    await joined.reach(1);
    const created: unknown[] = [];
    joined.items[0]!.conn.on('packetCreate', (p: unknown) => void created.push(p));
    io.to('r').emit('b', 1);
    await a.got.reach(1);
    expect(created).toEqual([]);
    // what is not a plain broadcast still goes through engine.io
    joined.items[0]!.emit('own', 2);
    await a.got.reach(2);
    expect(created).toHaveLength(1);
  });
});

describe('join acks written straight to an idle WebSocket', () => {
  /** What the client should decode: the ack as JSON carries it. */
  const expected = (socketId: string) => JSON.parse(JSON.stringify({ ok: true, own: socketId, ...snapshot })) as unknown;

  it('arrive whole over WebSocket, around engine.io, and through it over long-polling', async () => {
    const { url, joined } = await serve(1000);
    const { ws, polling, wsServerSide } = await wsAndPolling(url, joined);
    const created: unknown[] = [];
    wsServerSide.conn.on('packetCreate', (p: unknown) => void created.push(p));
    expect(await ws.socket.emitWithAck('join-me')).toEqual(expected(wsServerSide.id));
    expect(created).toEqual([]);
    const pollingServerSide = joined.items.find((s) => s !== wsServerSide)!;
    expect(await polling.socket.emitWithAck('join-me')).toEqual(expected(pollingServerSide.id));
    // the same snapshot's bytes, made once, serve the next ack too
    expect(await ws.socket.emitWithAck('join-me')).toEqual(expected(wsServerSide.id));
  });

  it('come after the pushes engine.io still holds for the socket', async () => {
    const { url, joined } = await serve(1000);
    const a = await client(url);
    await joined.reach(1);
    // the ack callback runs as its packet is decoded: what had arrived by then came before it
    const acked = new Promise<{ res: unknown; before: unknown[] }>((resolve) =>
      a.socket.emit('join-me-after-pushes', (res: unknown) => resolve({ res, before: [...a.got.items] })),
    );
    const { res, before } = await acked;
    expect(before).toEqual([['own', 1], ['own', 2]]);
    expect(res).toEqual(expected(joined.items[0]!.id));
  });
});

describe('other acks written straight to an idle WebSocket', () => {
  it('arrive whole and in order with the pushes between them, around engine.io where the connection is idle', async () => {
    const { io, url, joined } = await serve(1000);
    const { ws, polling, wsServerSide } = await wsAndPolling(url, joined);
    const created: unknown[] = [];
    wsServerSide.conn.on('packetCreate', (p: unknown) => void created.push(p));
    const answer = (n: number) => ({ ok: false, error: { code: 'sold_out', message: `<script>${n}</script> ✓` } });
    for (const c of [ws, polling]) {
      const order: unknown[] = [];
      c.socket.on('b', (n: number) => void order.push(['b', n]));
      const acks = [1, 2, 3].map((n) => c.socket.emitWithAck('claim-me', n).then((res: unknown) => void order.push(['ack', res])));
      io.to(c.socket.id!).emit('b', 0);
      await Promise.all(acks);
      // the broadcast was made before any claim was read: it comes first, then the answers in the order asked
      expect(order).toEqual([['b', 0], ...[1, 2, 3].map((n) => ['ack', answer(n)])]);
    }
    expect(created).toEqual([]);
  });
});
