import WebSocket from 'ws';

/**
 * A Socket.IO connection spoken by hand over a plain WebSocket: engine.io framing (`4` = message) and
 * socket.io packets written as text, so a test can send what no well-behaved client would.
 */
export interface RawSocket {
  /** Text frames received after the handshake, engine.io pings left out (they are answered). */
  readonly messages: string[];
  /** How the server answered the CONNECT packet (`40{...}` or `44{...}`), when one was sent. */
  readonly connectReply: string | undefined;
  readonly isClosed: boolean;
  /** Resolves when the server (or we) closed the connection. */
  readonly closed: Promise<void>;
  send(frame: string | Buffer): void;
  /**
   * A WebSocket ping and its pong: once it is back, the server has read (and handled, ticks included)
   * everything sent before it, so what is sent next arrives in a read of its own.
   */
  roundTrip(): Promise<void>;
  /** The first message from now on (or already received) that matches; rejects on close or timeout. */
  next(match: (m: string) => boolean, timeoutMs?: number): Promise<string>;
  /** The ack for packet id `id` (`43<id>[...]`), parsed. */
  ack(id: number, timeoutMs?: number): Promise<unknown>;
  /** Stops (or resumes) reading from the connection, like a client that hangs: the server's writes back up. */
  reading(on: boolean): void;
  close(): void;
}

export interface RawOptions {
  /** The CONNECT packet's payload; `'skip'` sends no CONNECT at all. Default: no payload. */
  auth?: unknown;
  /** Time allowed for the handshake. */
  timeoutMs?: number;
}

export function rawUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
}

/** Opens a raw connection, sends CONNECT with `auth` (unless `'skip'`) and waits for the server's answer. */
export function openRaw(httpUrl: string, opts: RawOptions = {}): Promise<RawSocket> {
  const ws = new WebSocket(rawUrl(httpUrl), { maxPayload: 10 * 1024 * 1024 });
  const messages: string[] = [];
  const waiters = new Set<{ match: (m: string) => boolean; resolve(m: string): void; reject(e: Error): void }>();
  let isClosed = false;
  let connectReply: string | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const timeoutMs = opts.timeoutMs ?? 5000;

  const socket: RawSocket = {
    messages,
    get connectReply() {
      return connectReply;
    },
    get isClosed() {
      return isClosed;
    },
    closed,
    send(frame) {
      if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    },
    roundTrip() {
      return new Promise((resolve, reject) => {
        if (ws.readyState !== WebSocket.OPEN) return reject(new Error('connection closed'));
        ws.once('pong', () => resolve());
        ws.ping();
      });
    },
    next(match, ms = 5000) {
      const seen = messages.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      if (isClosed) return Promise.reject(new Error('connection closed'));
      return new Promise((resolve, reject) => {
        const w = {
          match,
          resolve: (m: string) => {
            clearTimeout(timer);
            waiters.delete(w);
            resolve(m);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            waiters.delete(w);
            reject(e);
          },
        };
        const timer = setTimeout(() => w.reject(new Error(`no matching message in ${ms} ms; got ${messages.slice(-5).join(' | ').slice(0, 500)}`)), ms);
        waiters.add(w);
      });
    },
    async ack(id, ms) {
      const prefix = `43${id}[`;
      const m = await socket.next((x) => x.startsWith(prefix), ms);
      return (JSON.parse(m.slice(prefix.length - 1)) as unknown[])[0];
    },
    reading(on) {
      const tcp = (ws as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
      if (on) tcp?.resume();
      else tcp?.pause();
    },
    close() {
      ws.close();
    },
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('raw socket: no handshake'));
    }, timeoutMs);
    const ready = () => {
      clearTimeout(timer);
      resolve(socket);
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      if (text.startsWith('0')) {
        if (opts.auth === 'skip') return ready();
        ws.send(opts.auth === undefined ? '40' : `40${JSON.stringify(opts.auth)}`);
        return;
      }
      if (text === '2') return ws.send('3');
      if (connectReply === undefined && opts.auth !== 'skip' && (text.startsWith('40') || text.startsWith('44'))) {
        connectReply = text;
        return ready();
      }
      messages.push(text);
      for (const w of [...waiters]) if (w.match(text)) w.resolve(text);
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      isClosed = true;
      for (const w of [...waiters]) w.reject(new Error('connection closed'));
      resolveClosed();
      clearTimeout(timer);
      reject(new Error('raw socket: closed during the handshake'));
    });
  });
}
