import { connect, createServer, type Server, type Socket } from 'node:net';

/** What `cutAnswer` waits for, on one connection. */
interface Cut {
  /** Bytes the client sends first (a parameter value that names the request). */
  after: Buffer;
  /** Bytes the client sends after that, if any (`COMMIT`). */
  followedBy?: Buffer;
  done: () => void;
}

/** A ReadyForQuery message ('Z', length 5, status): the server has finished a request. */
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5]);

/**
 * A TCP relay in front of PostgreSQL that a test can cut: stop() drops every connection and
 * refuses new ones, which is what the service sees when the database goes away; cutAnswer()
 * lets one request reach PostgreSQL and drops the connection instead of relaying its answer,
 * which is what a client sees when the network fails after COMMIT was sent.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private cut: Cut | undefined;

  private constructor(
    private readonly target: { host: string; port: number },
    public port = 0,
  ) {}

  static async start(targetUrl: string): Promise<TcpProxy> {
    const url = new URL(targetUrl);
    const proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    await proxy.listen();
    return proxy;
  }

  /** `databaseUrl` with its host and port replaced by the proxy's. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /**
   * On the next connection whose client sends `after` (and then `followedBy`, when given), relays
   * everything to PostgreSQL but, when PostgreSQL answers that request (ReadyForQuery: the
   * statement, or the COMMIT, is done), closes both sides instead of relaying the answer. The
   * promise settles once that happened. Other connections are untouched.
   */
  cutAnswer(after: string, followedBy?: string): Promise<void> {
    return new Promise((resolve) => {
      this.cut = {
        after: Buffer.from(after),
        followedBy: followedBy === undefined ? undefined : Buffer.from(followedBy),
        done: resolve,
      };
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }

  private relay(client: Socket, upstream: Socket): void {
    let sawAfter = false;
    let armed: Cut | undefined;
    client.on('data', (chunk: Buffer) => {
      const cut = this.cut;
      if (cut && !armed) {
        if (!sawAfter && chunk.includes(cut.after)) sawAfter = true;
        const fired = sawAfter && (cut.followedBy === undefined || chunk.includes(cut.followedBy));
        if (fired) {
          armed = cut;
          this.cut = undefined;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (armed && chunk.includes(READY_FOR_QUERY)) {
        client.destroy();
        upstream.destroy();
        armed.done();
        return;
      }
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  }

  private listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      this.relay(client, upstream);
    });
    this.server = server;
    return new Promise((resolve) =>
      server.listen(this.port, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address === 'object' && address) this.port = address.port;
        resolve();
      }),
    );
  }
}
