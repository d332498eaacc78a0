import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy standing in for the load balancer in front of several server nodes: each client
 * connection (HTTP, WebSocket upgrade) goes to the next backend in turn that accepts a TCP connection; a
 * backend that refuses (killed, or draining and no longer listening) is skipped. Bytes pass unchanged, so
 * a connection stays on its node until that node closes it, as with a TCP (layer 4) balancer and the
 * WebSocket transport. `route` picks the backend a connection prefers (by default round robin).
 */
export class LbProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private next = 0;
  port = 0;
  /** Connections handed to each backend port so far. */
  readonly routed = new Map<number, number>();

  constructor(readonly backends: number[]) {}

  static async start(backends: number[]): Promise<LbProxy> {
    const p = new LbProxy(backends);
    await p.listen();
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.pause();
    const first = this.next++ % this.backends.length;
    const tryBackend = (k: number): void => {
      if (k >= this.backends.length) {
        client.destroy();
        return;
      }
      const port = this.backends[(first + k) % this.backends.length]!;
      const upstream = connect(port, '127.0.0.1');
      const refused = () => {
        upstream.destroy();
        tryBackend(k + 1);
      };
      upstream.once('error', refused);
      upstream.once('connect', () => {
        upstream.off('error', refused);
        this.routed.set(port, (this.routed.get(port) ?? 0) + 1);
        this.sockets.add(upstream);
        const close = () => {
          client.destroy();
          upstream.destroy();
          this.sockets.delete(client);
          this.sockets.delete(upstream);
        };
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryBackend(0);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
