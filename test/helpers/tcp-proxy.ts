// A TCP proxy on a spare local port that a test stops (every connection cut, port refused) and starts again, to take a real service "away".
import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './services.js';

/** A proxy to `host:port`; `port` is where clients connect. */
export interface TcpProxy {
  readonly port: number;
  /** Cuts every connection and stops listening (clients then get ECONNREFUSED). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Connections accepted so far. */
  readonly accepted: number;
}

/** Starts a proxy to a TCP service on a free local port. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const listenPort = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let accepted = 0;

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server = createServer((client) => {
        accepted++;
        const upstream = connect({ host, port });
        sockets.add(client).add(upstream);
        const drop = (): void => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => resolve());
    });

  await listen();
  return {
    port: listenPort,
    get accepted() {
      return accepted;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      const s = server;
      server = undefined;
      if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    start: listen,
  };
}
