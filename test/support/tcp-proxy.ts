import { Server, Socket, connect, createServer } from 'node:net';

const DEFAULT_PORTS: Record<string, number> = {
  mysql: 3306,
  mariadb: 3306,
  postgres: 5432,
  postgresql: 5432,
};

/**
 * A TCP proxy a test can cut, stall and restore, to take a server away from the app (as a dead
 * server would), or leave it reachable but silent (as a hung one would), and give it back.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  /** Bytes held back while stalled, each with the socket it was on its way to. */
  private held: Array<{ to: Socket; data: Buffer }> = [];

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** A started proxy in front of the server a database URL names (its scheme's port by default). */
  static async before(url: string, port: number): Promise<TcpProxy> {
    const server = new URL(url);
    const proxy = new TcpProxy(port, {
      host: server.hostname,
      port: Number(server.port || DEFAULT_PORTS[server.protocol.replace(/:$/, '')]),
    });
    await proxy.start();
    return proxy;
  }

  /** The same URL, through this proxy. */
  via(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  start(): Promise<void> {
    if (this.server?.listening) return Promise.resolve();
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => {
          this.sockets.delete(s);
          // One side gone: so is the other, as through a real network path.
          client.destroy();
          upstream.destroy();
        });
        s.on('error', () => s.destroy());
      }
      this.forward(client, upstream);
      this.forward(upstream, client);
    });
    const server = this.server;
    return new Promise((ok, fail) => {
      server.once('error', fail);
      server.listen(this.port, '127.0.0.1', () => ok());
    });
  }

  /** Refuses new connections and kills the open ones, as a dead server would. */
  stop(): Promise<void> {
    this.stalled = false;
    this.held = [];
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    return new Promise((ok) => (server?.listening ? server.close(() => ok()) : ok()));
  }

  /**
   * Keeps every connection, old and new, open but silent: bytes are accepted and held, nothing
   * is delivered either way, as when a server hangs or a link drops packets.
   */
  stall(): void {
    this.stalled = true;
  }

  /** Delivers what was held, in order, and forwards again. */
  resume(): void {
    this.stalled = false;
    const held = this.held;
    this.held = [];
    for (const { to, data } of held) if (!to.destroyed) to.write(data);
  }

  private forward(from: Socket, to: Socket): void {
    from.on('data', (data: Buffer) => {
      if (this.stalled) this.held.push({ to, data });
      else if (!to.destroyed) to.write(data);
    });
  }
}
