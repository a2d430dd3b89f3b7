// Whether a test that needs a real service (Redis, PostgreSQL, MariaDB, a binary) runs, skips, or fails.
import { accessSync, constants } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** OSPROFILER_REQUIRE_SERVICES=1 (CI): an unreachable service fails the test file instead of skipping it. */
export const servicesRequired = process.env.OSPROFILER_REQUIRE_SERVICES === '1';

/** What node:test's `{ skip }` option takes: false to run, a sentence to skip. */
export interface ServiceGate {
  skip: string | false;
}

/**
 * Runs `probe` (bounded by `timeoutMs`). Reachable → `{ skip: false }`. Unreachable → `{ skip:
 * <reason> }`, or, with OSPROFILER_REQUIRE_SERVICES=1, throws so the whole file fails with the reason.
 */
export async function requireService(
  name: string,
  probe: () => Promise<unknown>,
  timeoutMs = 3000,
): Promise<ServiceGate> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { skip: false };
  } catch (error) {
    const why = `${name} is not reachable (${(error as Error)?.message ?? error})`;
    if (servicesRequired) throw new Error(`${why}, and OSPROFILER_REQUIRE_SERVICES=1 requires it.`, { cause: error });
    return { skip: `${why}; set OSPROFILER_REQUIRE_SERVICES=1 to fail instead of skipping` };
  } finally {
    clearTimeout(timer);
  }
}

/** A probe that opens (and closes) a TCP connection. */
export function tcpProbe(host: string, port: number): () => Promise<void> {
  return () =>
    new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', (error) => {
        socket.destroy();
        reject(error);
      });
    });
}

/**
 * An optional tool such as the Python `osprofiler` CLI: skipped when the binary is absent, even
 * in CI mode (then it is required only where it is installed). Returns its absolute path.
 */
export function optionalBinary(name: string, installHint = ''): { path: string | undefined; skip: string | false } {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return { path, skip: false };
    } catch {
      // not in this folder
    }
  }
  return { path: undefined, skip: `${name} is not installed${installHint ? ` (${installHint})` : ''}` };
}

/** A TCP port nobody listens on right now (bound to port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
