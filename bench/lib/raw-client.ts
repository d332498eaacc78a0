import WebSocket from 'ws';

/**
 * A Socket.IO client spoken by hand over one plain WebSocket, for load generators: engine.io framing and
 * socket.io text packets, nothing decoded that the benchmark does not ask for. Pushes (`42[...]`) are only
 * counted (frames and bytes); an ack (`43<id>[...]`) goes, still a Buffer, to the callback of its emit, which
 * decodes it or not. Pings are answered. A decoding socket.io-client spends most of a generator's CPU on
 * frames nobody reads; this one spends almost none, so at 10,000 sockets the server stays the limit.
 */

/** Frames and bytes received by a set of clients that share it. */
export interface FrameCounts {
  pushes: number;
  pushBytes: number;
  acks: number;
  ackBytes: number;
}

export const newCounts = (): FrameCounts => ({ pushes: 0, pushBytes: 0, acks: 0, ackBytes: 0 });

/** Called with the ack frame's JSON part (`[{...}]`, undecoded) and performance.now() at its arrival. */
export type AckCallback = (json: Buffer, at: number) => void;

/** Called with a push's JSON part (`["event",{...}]`, undecoded), for the few sockets that decode pushes. */
export type PushCallback = (json: Buffer) => void;

const ZERO = 0x30;
const TWO = 0x32;
const THREE = 0x33;
const FOUR = 0x34;

export function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
}

export class RawClient {
  private nextId = 0;
  private readonly waiting = new Map<number, AckCallback>();
  /** Set when the connection ended, by whom or why. */
  closedBy: string | undefined;

  private constructor(
    private readonly ws: WebSocket,
    private readonly counts: FrameCounts,
    /** The protocol version its handshake spoke (1 when it named none). */
    readonly protocol: number,
  ) {}

  /** Opens the WebSocket, sends CONNECT with `auth` and resolves once the server accepted it. */
  static connect(httpUrl: string, auth: object, counts: FrameCounts, timeoutMs: number, onPush?: PushCallback): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl(httpUrl), { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      const v = (auth as { protocol?: unknown }).protocol;
      const client = new RawClient(ws, counts, typeof v === 'number' ? v : 1);
      let connected = false;
      const timer = setTimeout(() => fail('connect timeout'), timeoutMs);
      function fail(why: string): void {
        clearTimeout(timer);
        if (!connected) {
          connected = true;
          ws.terminate();
          reject(new Error(why));
        }
      }
      ws.on('error', (err) => fail(`ws: ${err.message}`));
      ws.on('close', (code) => {
        client.closedBy ??= `close ${code}`;
        fail(`closed (${code}) before connect`);
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary || data.length === 0) return;
        const type = data[0];
        if (type === TWO) return ws.send('3'); // engine.io ping
        if (type === ZERO) return ws.send(`40${JSON.stringify(auth)}`); // engine.io open: socket.io CONNECT
        if (type !== FOUR) return;
        const packet = data[1];
        if (packet === TWO) {
          client.counts.pushes++;
          client.counts.pushBytes += data.length;
          onPush?.(data.subarray(2));
        } else if (packet === THREE) client.onAck(data);
        else if (packet === ZERO && !connected) {
          connected = true;
          clearTimeout(timer);
          resolve(client);
        } else if (packet === FOUR) fail(`connect refused: ${data.toString('utf8', 2, 200)}`);
      });
    });
  }

  private onAck(data: Buffer): void {
    const at = performance.now();
    let i = 2;
    let id = 0;
    while (i < data.length && data[i]! >= ZERO && data[i]! <= ZERO + 9) id = id * 10 + (data[i++]! - ZERO);
    this.counts.acks++;
    this.counts.ackBytes += data.length;
    const cb = this.waiting.get(id);
    if (!cb) return;
    this.waiting.delete(id);
    cb(data.subarray(i), at);
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends `event` with `payload` and an ack id; `onAck` gets the ack (never called if none comes). */
  emit(event: string, payload: unknown, onAck: AckCallback): void {
    const id = this.nextId++;
    this.waiting.set(id, onAck);
    this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
  }

  /** Acks still awaited. */
  get pending(): number {
    return this.waiting.size;
  }

  close(): void {
    this.closedBy ??= 'us';
    this.ws.terminate();
  }
}

/** `true` when an ack's JSON (`[{"ok":true...`) says ok, read without decoding it. */
export function ackOk(json: Buffer): boolean {
  // `[{"ok":true` : the dispatcher always writes `ok` first
  return json.length > 10 && json[7] === 0x74; // 't' of true
}

/** Decodes an ack's JSON part to its one argument. */
export function ackBody(json: Buffer): { ok: boolean; error?: { code?: string }; [k: string]: unknown } {
  const arr = JSON.parse(json.toString('utf8')) as [{ ok: boolean; error?: { code?: string } }];
  return arr[0];
}
