// A TCP proxy on a spare port in front of a real server, which a test cuts (a store outage) and restores.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** How {@link TcpProxy.stop} cuts the open connections. */
export interface CutOptions {
  /**
   * Send a TCP RST (a crashed server, a firewall or a load balancer dropping the connection)
   * instead of the FIN a stopped server sends. Default false.
   */
  reset?: boolean;
}

/** A running proxy. */
export interface TcpProxy {
  /** The port clients connect to (it stays the same across stop/start). */
  readonly port: number;
  /**
   * Refuses new connections and closes the open ones, as a stopped server does (a FIN), or with
   * `{ reset: true }` as a crashed one does (a RST). Resolves once every connection it held is closed.
   */
  stop(how?: CutOptions): Promise<void>;
  /** Accepts connections again on the same port. */
  start(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

/**
 * Ends one socket of the proxy: with a RST when asked and possible, else with a FIN.
 * why: Node marks a socket as closing when it asks libuv for a reset, but libuv refuses the reset
 * (EINVAL) while the FIN of an end() is still being sent, and that socket then never closes: the
 * process spins at 100% CPU after its last callback, waiting for it (Node 20 and 24). A socket that
 * already ended its side has told its peer, so a plain destroy() is the same cut.
 */
function cut(socket: Socket, reset: boolean): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
  if (reset && !socket.writableEnded && !socket.connecting && !socket.destroyed) socket.resetAndDestroy();
  else socket.destroy();
  return closed;
}

/** Starts a proxy on 127.0.0.1 (a free port) that forwards to `targetHost:targetPort`. */
export async function tcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  let server: Server | undefined;
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const s = createServer((client) => {
        track(client);
        const upstream = connect(targetPort, targetHost);
        track(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        const address = s.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  const halt = async (how: CutOptions = {}): Promise<void> => {
    const s = server;
    server = undefined;
    const closing = s === undefined ? Promise.resolve() : new Promise<void>((resolve) => s.close(() => resolve()));
    await Promise.all([...sockets].map((socket) => cut(socket, how.reset === true)));
    await closing;
  };
  const port = await listen(0);
  return {
    port,
    stop: halt,
    start: async () => {
      await listen(port);
    },
    close: () => halt(),
  };
}
