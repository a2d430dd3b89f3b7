// A TCP listener on a spare port that accepts connections, reads what it gets and never answers: a wedged store.
import { createServer, type Socket } from 'node:net';

/** A listening silent server. */
export interface SilentServer {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Bytes received so far (proof that the client did send). */
  readonly received: number;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a silent server on 127.0.0.1, port 0 (the system picks a free one). */
export function silentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let received = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => void (received += chunk.length));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        port,
        get accepted() {
          return accepted;
        },
        get received() {
          return received;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * Awaits `promise` and reports how it settled and after how long; a `guardMs` timer stops waiting
 * (settled: false) so a hanging call fails the test instead of the whole run.
 */
export async function settleWithin<T>(
  promise: Promise<T>,
  guardMs: number,
): Promise<{ settled: boolean; value?: T; error?: unknown; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'guard'>((resolve) => {
    timer = setTimeout(() => resolve('guard'), guardMs);
  });
  try {
    const outcome = await Promise.race([
      promise.then(
        (value) => ({ settled: true, value }),
        (error: unknown) => ({ settled: true, error }),
      ),
      guard,
    ]);
    const ms = Math.round(performance.now() - started);
    return outcome === 'guard' ? { settled: false, ms } : { ...outcome, ms };
  } finally {
    clearTimeout(timer);
  }
}
