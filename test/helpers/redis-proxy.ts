import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy between a server and Redis, for fault injection. Each client connection gets its
 * own connection to Redis; bytes pass through unchanged until a test arms a fault:
 * - `dropReplyAfter(marker)`: when a command carrying `marker` (a key name, say) goes to Redis, the proxy
 *   forwards it, waits for Redis's reply (so Redis has run the command), and then closes that client
 *   connection instead of forwarding the reply. The client never hears what Redis did.
 * - `refuseConnections(on)`: while on, the proxy does not listen, so a client that reconnects is refused
 *   at the TCP level, as by a Redis that is down (a connection accepted and then closed would not do: ioredis
 *   counts it as connected and keeps the commands it was waiting on instead of failing them).
 */
export class RedisProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private marker: string | undefined;
  private dropped: (() => void)[] = [];
  /** Commands seen carrying the armed marker, or any marker passed to `count`. */
  private readonly counters = new Map<string, number>();
  port = 0;

  constructor(
    private readonly redisPort: number,
    private readonly redisHost = '127.0.0.1',
  ) {}

  static async start(redisPort: number): Promise<RedisProxy> {
    const p = new RedisProxy(redisPort);
    await p.listen();
    return p;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    const upstream = connect(this.redisPort, this.redisHost);
    const pair = { client, upstream };
    this.pairs.add(pair);
    let dropNextReply = false;
    let tail = '';
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      // a marker may straddle two chunks: look at the end of the previous one too
      const text = tail + chunk.toString('latin1');
      tail = text.slice(-256);
      for (const [m, n] of this.counters) {
        if (text.includes(m)) this.counters.set(m, n + 1);
      }
      if (this.marker !== undefined && text.includes(this.marker)) {
        this.marker = undefined;
        dropNextReply = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dropNextReply) {
        // Redis ran the command and answered: the client never hears it
        for (const f of this.dropped.splice(0)) f();
        close();
        return;
      }
      client.write(chunk);
    });
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  }

  /**
   * Arms the fault: the reply to the next command carrying `marker` is lost; resolves once it was dropped.
   * With `thenRefuse`, new connections are refused from that moment on (until `refuseConnections(false)`),
   * so the client cannot reconnect and resend the command at once.
   */
  dropReplyAfter(marker: string, { thenRefuse = false }: { thenRefuse?: boolean } = {}): Promise<void> {
    this.marker = marker;
    if (thenRefuse) this.dropped.push(() => this.stopListening());
    return new Promise((resolve) => this.dropped.push(resolve));
  }

  /** Counts from now on the commands whose bytes carry `marker`. */
  count(marker: string): void {
    this.counters.set(marker, 0);
  }

  seen(marker: string): number {
    return this.counters.get(marker) ?? 0;
  }

  private stopListening(): void {
    const server = this.server;
    this.server = undefined;
    server?.close();
  }

  /** Off: listens again on the same port. */
  async refuseConnections(on: boolean): Promise<void> {
    if (on) this.stopListening();
    else if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    const server = this.server;
    this.stopListening();
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
